#pragma once
// Devices as seen through what they send: first and last activity, the model version they
// last reported, and all-time counts of results and clips (retention never lowers them).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/store/connection.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;

struct DeviceSummary {
  std::string device_id;
  util::UnixMs first_seen = 0;  // earliest timestamp of anything it sent
  util::UnixMs last_seen = 0;   // latest timestamp of anything it sent
  std::string model_version;    // of its latest-timestamped result or clip
  std::int64_t results = 0;     // all-time
  std::int64_t clips = 0;       // all-time
  // "active" when last_seen is within `active_within` of `now` (list_devices), else
  // "stale". Device clocks are trusted: timestamps are the device's.
  std::string status;
};

// Activity of one device within one write job.
struct DeviceActivity {
  std::string_view device_id;
  std::string_view model_version;  // the version at `latest`
  util::UnixMs earliest = 0;
  util::UnixMs latest = 0;
  std::int64_t results = 0;  // new results stored
  std::int64_t clips = 0;    // new clips stored
};

enum class DeviceUpdate {
  counters,     // create the row if missing, else widen it and add the counts
  create_only,  // create the row if missing (with `activity`), else leave it as it is
};

// Inside a write job: creates the device's row if missing; with DeviceUpdate::counters also
// widens first/last seen of an existing one, takes the model version when `latest` is not
// older than last_seen, and adds the counts. Call it before inserting rows that reference
// the device. Throws on SQLite errors.
void record_device_activity(WriteTxn& txn, const DeviceActivity& activity,
                            DeviceUpdate update = DeviceUpdate::counters);

// Every device, by device id, with its status computed against `now`.
Result<std::vector<DeviceSummary>> list_devices(Store& store, util::UnixMs now,
                                                std::chrono::milliseconds active_within);

// The model version of the device seen most recently, or nothing before any device.
Result<std::optional<std::string>> latest_model_version(Store& store);

}  // namespace driftd::store
