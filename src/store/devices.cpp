#include "driftd/store/devices.hpp"

#include <algorithm>

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include "driftd/store/results.hpp"
#include "driftd/store/store.hpp"

namespace driftd::store {

void record_device_activity(WriteTxn& txn, const DeviceActivity& activity, DeviceUpdate update) {
  // In the DO UPDATE clause, columns name the row's values before the update. Leaving an
  // existing row alone writes no page.
  SQLite::Statement& upsert = txn.prepare(
      update == DeviceUpdate::create_only
          ? "INSERT INTO devices (device_id, first_seen, last_seen, model_version, results_count, "
            "clips_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (device_id) DO NOTHING"
          : "INSERT INTO devices (device_id, first_seen, last_seen, model_version, results_count, "
            "clips_count) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
            "ON CONFLICT (device_id) DO UPDATE SET "
            "first_seen = MIN(first_seen, excluded.first_seen), "
            "last_seen = MAX(last_seen, excluded.last_seen), "
            "model_version = CASE WHEN excluded.last_seen >= last_seen "
            "THEN excluded.model_version ELSE model_version END, "
            "results_count = results_count + excluded.results_count, "
            "clips_count = clips_count + excluded.clips_count");
  upsert.bind(1, std::string(activity.device_id));
  upsert.bind(2, static_cast<std::int64_t>(activity.earliest));
  upsert.bind(3, static_cast<std::int64_t>(activity.latest));
  upsert.bind(4, std::string(activity.model_version));
  upsert.bind(5, static_cast<std::int64_t>(activity.results));
  upsert.bind(6, static_cast<std::int64_t>(activity.clips));
  upsert.exec();
}

namespace {

// Adds `device`'s results stored after the aggregates' mark (results.hpp) to its summary,
// as sync_result_aggregates() will.
void add_unsynced(DeviceSummary& d, const DeviceActivity& a) {
  d.first_seen = std::min(d.first_seen, a.earliest);
  if (a.latest >= d.last_seen) {
    d.last_seen = a.latest;
    d.model_version = std::string(a.model_version);
  }
  d.results += a.results;
}

}  // namespace

Result<std::vector<DeviceSummary>> list_devices(Store& store, util::UnixMs now,
                                                std::chrono::milliseconds active_within) {
  (void)sync_result_aggregates(store);  // when it fails, unsynced results are added below
  return store.read([&](Connection& c) -> Result<std::vector<DeviceSummary>> {
    SQLite::Statement& query = c.prepare(
        "SELECT device_id, first_seen, last_seen, model_version, results_count, clips_count "
        "FROM devices ORDER BY device_id");
    std::vector<DeviceSummary> devices;
    while (query.executeStep()) {
      DeviceSummary d;
      d.device_id = query.getColumn(0).getString();
      d.first_seen = query.getColumn(1).getInt64();
      d.last_seen = query.getColumn(2).getInt64();
      d.model_version = query.getColumn(3).getString();
      d.results = query.getColumn(4).getInt64();
      d.clips = query.getColumn(5).getInt64();
      devices.push_back(std::move(d));
    }
    query.reset();
    const UnsyncedResults unsynced = unsynced_results(c);
    const auto predictions = unsynced.predictions();
    for (const auto& [device, activity] : UnsyncedResults::devices(predictions)) {
      auto it = std::lower_bound(
          devices.begin(), devices.end(), device,
          [](const DeviceSummary& d, std::string_view id) { return d.device_id < id; });
      if (it != devices.end() && it->device_id == device) add_unsynced(*it, activity);
    }
    for (auto& d : devices)
      d.status = now - d.last_seen <= active_within.count() ? "active" : "stale";
    return devices;
  });
}

Result<std::optional<std::string>> latest_model_version(Store& store) {
  auto devices = list_devices(store, 0, std::chrono::milliseconds(0));
  if (!devices) return devices.error();
  const DeviceSummary* latest = nullptr;
  for (const auto& d : *devices) {
    if (latest == nullptr || d.last_seen > latest->last_seen) latest = &d;
  }
  if (latest == nullptr) return std::optional<std::string>();
  return std::optional<std::string>(latest->model_version);
}

}  // namespace driftd::store
