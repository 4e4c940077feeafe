#include "driftd/store/results.hpp"
#include "chunked_delete.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <span>
#include <string>
#include <utility>

#include "driftd/store/devices.hpp"
#include "driftd/store/drift_buckets.hpp"
#include "driftd/store/ids.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/tokens.hpp"
#include "driftd/store/windows.hpp"

namespace driftd::store {

namespace {

// 128 characters of up to 4 UTF-8 bytes each (the API counts characters).
constexpr std::size_t k_max_label_bytes = 512;

bool is_fraction(double x) {
  return std::isfinite(x) && x >= 0 && x <= 1;
}

Error invalid_at(std::size_t index, std::string message, std::string field) {
  Error error = make_error(k_error_invalid, std::move(message), std::move(field));
  error.index = index;
  return error;
}

Status check_record(const ResultRecord& r, std::size_t index) {
  if (!is_valid_device_id(r.device_id)) {
    return invalid_at(index, "device_id must be 1-64 characters [A-Za-z0-9._:-]", "device_id");
  }
  if (!is_valid_model_version(r.model_version)) {
    return invalid_at(index, "model_version must be 1-64 characters [A-Za-z0-9._:-]",
                      "model_version");
  }
  if (r.result_id && r.result_id->empty()) {
    return invalid_at(index, "result_id must not be empty", "result_id");
  }
  if (r.label.empty() || r.label.size() > k_max_label_bytes) {
    return invalid_at(index, "label must be 1-128 characters", "label");
  }
  if (!is_fraction(r.confidence)) {
    return invalid_at(index, "confidence must be a finite number in [0, 1]", "confidence");
  }
  for (const auto& [label, score] : r.scores) {
    if (!is_fraction(score)) {
      return invalid_at(index, "scores must be finite numbers in [0, 1]", "scores");
    }
  }
  const std::size_t width = r.feature_windows.empty() ? 0 : r.feature_windows.front().size();
  for (const auto& window : r.feature_windows) {
    if (window.empty() || window.size() != width) {
      return invalid_at(index, "feature windows must all have the same, non-zero length",
                        "features");
    }
    for (double v : window) {
      if (!std::isfinite(v)) return invalid_at(index, "features must be finite", "features");
    }
  }
  return Ok{};
}

std::string scores_json(const std::map<std::string, double>& scores) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [label, score] : scores) object[label] = score;
  return object.dump();
}

// The devices' share of `results`.
std::map<std::string_view, DeviceActivity> device_activity(
    std::span<const ResultPrediction> results) {
  std::map<std::string_view, DeviceActivity> by_device;
  for (const ResultPrediction& r : results) {
    auto [it, inserted] = by_device.try_emplace(r.device_id);
    DeviceActivity& a = it->second;
    if (inserted) {
      a.device_id = r.device_id;
      a.earliest = r.timestamp;
      a.latest = r.timestamp;
      a.model_version = r.model_version;
    }
    if (r.timestamp < a.earliest) a.earliest = r.timestamp;
    if (r.timestamp >= a.latest) {
      a.latest = r.timestamp;
      a.model_version = r.model_version;
    }
    ++a.results;
  }
  return by_device;
}

constexpr const char* k_aggregated_key = "results_aggregated_through";
// How stale the aggregates may grow while results keep coming and nobody reads them.
constexpr std::chrono::milliseconds k_aggregate_every{200};
// How many results a sync may have to add at most (about a millisecond of work), so that
// no ingest job waits long for one, also under batches of a thousand.
constexpr std::int64_t k_aggregate_rows = 1000;

// The writer connection's note of the last sync: when, and the mark it left.
struct AggregateClock {
  std::chrono::steady_clock::time_point synced{};
  std::int64_t through = 0;
};

// The device-computed windows of a result, all at the result's timestamp.
WindowBatch device_windows(const ResultRecord& r) {
  WindowBatch batch{r.device_id, r.model_version, WindowSource::device, std::nullopt, {}};
  batch.windows.reserve(r.feature_windows.size());
  for (const auto& values : r.feature_windows) batch.windows.push_back({r.timestamp, values});
  return batch;
}

// One ingest write job: owns its batch, so it can outlive the request that made it.
class InsertJob {
 public:
  InsertJob(std::vector<ResultRecord> batch, std::vector<std::string> scores, util::UnixMs received,
            std::int64_t live_token_id)
      : m_batch(std::move(batch)),
        m_scores(std::move(scores)),
        m_received(received),
        m_live_token_id(live_token_id) {}

  Result<InsertOutcome> operator()(WriteTxn& txn) const {
    const std::vector<ResultRecord>& batch = m_batch;
    const std::vector<std::string>& scores = m_scores;
    const util::UnixMs received = m_received;
    const std::int64_t live_token_id = m_live_token_id;
    // 0. The token the batch was sent with is still valid: a revocation committed before
    // this transaction refuses it.
    if (live_token_id > 0) {
      if (Status live = confirm_token_live(txn, live_token_id); !live) return live.error();
    }
    // 1. Which records are new: not stored before, not repeated earlier in this batch.
    std::vector<bool> accepted(batch.size(), true);
    std::set<std::pair<std::string_view, std::string_view>> in_batch;
    SQLite::Statement& stored =
        txn.prepare("SELECT 1 FROM results WHERE device_id = ? AND result_id = ?");
    InsertOutcome outcome;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const ResultRecord& r = batch[i];
      if (!r.result_id) continue;
      bool duplicate = !in_batch.emplace(r.device_id, *r.result_id).second;
      if (!duplicate) {
        stored.reset();
        stored.bind(1, r.device_id);
        stored.bind(2, *r.result_id);
        duplicate = stored.executeStep();
      }
      if (duplicate) {
        accepted[i] = false;
        ++outcome.duplicates;
      }
    }
    std::vector<ResultPrediction> predictions;
    predictions.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!accepted[i]) continue;
      const ResultRecord& r = batch[i];
      predictions.push_back({r.device_id, r.model_version, r.timestamp, r.label, r.confidence});
    }
    // 2. Devices first: results reference them. Their counters follow in
    // sync_result_aggregates(), like the drift buckets' prediction statistics.
    for (auto [device, activity] : device_activity(predictions)) {
      activity.results = 0;
      record_device_activity(txn, activity, DeviceUpdate::create_only);
    }
    // 3. The new rows.
    SQLite::Statement& insert = txn.prepare(
        "INSERT INTO results (device_id, result_id, model_version, timestamp_ms, received_ms, "
        "label, confidence, scores) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    std::int64_t newest = 0;  // the id of the last result stored
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!accepted[i]) continue;
      const ResultRecord& r = batch[i];
      insert.reset();
      insert.bind(1, r.device_id);
      if (r.result_id) {
        insert.bind(2, *r.result_id);
      } else {
        insert.bind(2);
      }
      insert.bind(3, r.model_version);
      insert.bind(4, static_cast<std::int64_t>(r.timestamp));
      insert.bind(5, static_cast<std::int64_t>(received));
      insert.bind(6, r.label);
      insert.bind(7, r.confidence);
      insert.bind(8, scores[i]);
      insert.exec();
      newest = txn.last_insert_id();
      ++outcome.accepted;
      if (!r.feature_windows.empty()) {
        if (Status windows = record_windows(txn, device_windows(r)); !windows) {
          Error error = windows.error();
          error.index = i;
          return error;
        }
      }
    }
    // 4. The model versions' drift state at once; the aggregates when they are due.
    note_result_versions(txn, predictions);
    const auto& clock = txn.connection().attachment<AggregateClock>();
    if (std::chrono::steady_clock::now() - clock.synced >= k_aggregate_every ||
        newest - clock.through >= k_aggregate_rows) {
      sync_result_aggregates(txn);
    }
    return outcome;
  }

 private:
  std::vector<ResultRecord> m_batch;
  std::vector<std::string> m_scores;
  util::UnixMs m_received;
  std::int64_t m_live_token_id;
};

// The checks made before a batch is queued; the job to queue, or why there is none.
Result<InsertJob> prepare_insert(Store& store, std::vector<ResultRecord> batch,
                                 util::UnixMs received, std::int64_t live_token_id) {
  std::vector<std::string> scores;
  scores.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (Status ok = check_record(batch[i], i); !ok) return ok.error();
    scores.push_back(scores_json(batch[i].scores));
  }
  if (!batch.empty()) {
    if (Status room = store.has_room(); !room) return room.error();
  }
  return InsertJob(std::move(batch), std::move(scores), received, live_token_id);
}

}  // namespace

Result<InsertOutcome> insert_results(Store& store, std::vector<ResultRecord> batch,
                                     util::UnixMs received, std::int64_t live_token_id) {
  if (batch.empty()) return InsertOutcome{};
  Result<InsertJob> job = prepare_insert(store, std::move(batch), received, live_token_id);
  if (!job) return job.error();
  return store.writer().run(std::move(*job));
}

void insert_results_then(Store& store, std::vector<ResultRecord> batch, util::UnixMs received,
                         std::int64_t live_token_id,
                         std::function<void(Result<InsertOutcome>)> done) {
  if (batch.empty()) return done(InsertOutcome{});
  Result<InsertJob> job = prepare_insert(store, std::move(batch), received, live_token_id);
  if (!job) return done(job.error());
  store.writer().submit_then(std::move(*job), std::move(done));
}

UnsyncedResults unsynced_results(Connection& c) {
  UnsyncedResults out;
  SQLite::Statement& mark = c.prepare("SELECT value FROM meta WHERE key = ?");
  mark.bind(1, k_aggregated_key);
  if (!mark.executeStep()) {  // a schema without the aggregates (or without its mark)
    mark.reset();
    return out;
  }
  out.marked = true;
  out.through = std::stoll(mark.getColumn(0).getString());
  out.newest = out.through;
  mark.reset();
  SQLite::Statement& read = c.prepare(
      "SELECT id, device_id, model_version, timestamp_ms, label, confidence FROM results "
      "WHERE id > ? ORDER BY id");
  read.bind(1, out.through);
  while (read.executeStep()) {
    out.newest = read.getColumn(0).getInt64();
    out.rows.push_back({read.getColumn(1).getString(), read.getColumn(2).getString(),
                        read.getColumn(3).getInt64(), read.getColumn(4).getString(),
                        read.getColumn(5).getDouble()});
  }
  read.reset();
  return out;
}

std::vector<ResultPrediction> UnsyncedResults::predictions() const {
  std::vector<ResultPrediction> out;
  out.reserve(rows.size());
  for (const Row& r : rows) {
    out.push_back({r.device_id, r.model_version, r.timestamp, r.label, r.confidence});
  }
  return out;
}

std::map<std::string_view, DeviceActivity> UnsyncedResults::devices(
    std::span<const ResultPrediction> predictions) {
  return device_activity(predictions);
}

void sync_result_aggregates(WriteTxn& txn) {
  const UnsyncedResults unsynced = unsynced_results(txn.connection());
  auto& clock = txn.connection().attachment<AggregateClock>();
  clock.synced = std::chrono::steady_clock::now();
  clock.through = unsynced.newest;
  if (unsynced.rows.empty()) return;
  const std::vector<ResultPrediction> predictions = unsynced.predictions();
  for (const auto& [device, activity] : UnsyncedResults::devices(predictions)) {
    record_device_activity(txn, activity);
  }
  accumulate_results(txn, predictions);
  SQLite::Statement& advance = txn.prepare(
      "INSERT INTO meta (key, value) VALUES (?1, ?2) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
  advance.bind(1, k_aggregated_key);
  advance.bind(2, std::to_string(unsynced.newest));
  advance.exec();
  advance.reset();
}

Status sync_result_aggregates(Store& store) {
  return store.writer().run([](WriteTxn& txn) -> Status {
    sync_result_aggregates(txn);
    return Ok{};
  });
}

Result<std::int64_t> delete_results_before(Store& store, util::UnixMs cutoff,
                                           std::int64_t batch_rows) {
  // Whatever is deleted has been counted first; and the newest result stays, so ids keep
  // growing past the aggregates' mark.
  if (Status synced = sync_result_aggregates(store); !synced) return synced.error();
  return delete_in_chunks(
      store,
      "DELETE FROM results WHERE id IN (SELECT id FROM results "
      "WHERE timestamp_ms < ?1 AND id < (SELECT max(id) FROM results) LIMIT ?2)",
      cutoff, batch_rows);
}

}  // namespace driftd::store
