#include "driftd/store/devices.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include "driftd/store/store.hpp"

namespace driftd::store {

void record_device_activity(WriteTxn& txn, const DeviceActivity& activity) {
  // In the DO UPDATE clause, columns name the row's values before the update.
  SQLite::Statement& upsert = txn.prepare(
      "INSERT INTO devices (device_id, first_seen, last_seen, model_version, results_count, "
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

Result<std::vector<DeviceSummary>> list_devices(Store& store, util::UnixMs now,
                                                std::chrono::milliseconds active_within) {
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
      d.status = now - d.last_seen <= active_within.count() ? "active" : "stale";
      devices.push_back(std::move(d));
    }
    return devices;
  });
}

Result<std::optional<std::string>> latest_model_version(Store& store) {
  return store.read([](Connection& c) -> Result<std::optional<std::string>> {
    SQLite::Statement& query =
        c.prepare("SELECT model_version FROM devices ORDER BY last_seen DESC, device_id LIMIT 1");
    if (!query.executeStep()) return std::optional<std::string>();
    return std::optional<std::string>(query.getColumn(0).getString());
  });
}

}  // namespace driftd::store
