#pragma once
// Classification results sent by devices (POST /api/v1/results), stored one row each.
// A result carrying a result_id is stored once per device: a retried upload is
// acknowledged as a duplicate and neither stored nor counted again (as long as the first
// copy is within retention).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/store/connection.hpp"
#include "driftd/store/devices.hpp"
#include "driftd/store/drift_buckets.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;

struct ResultRecord {
  std::string device_id;                 // ids.hpp rule
  std::optional<std::string> result_id;  // unique per device when present
  std::string model_version;             // ids.hpp rule
  util::UnixMs timestamp = 0;            // when the device classified
  std::string label;                     // non-empty
  double confidence = 0;                 // finite, in [0, 1]
  std::map<std::string, double> scores;  // label → score, finite, in [0, 1]
  // Drift feature vectors the device computed for the windows it classified (windows.hpp:
  // num_cepstral + 1 finite values each, all of one length); stored as device windows at
  // `timestamp`. Empty when the result carries none.
  std::vector<std::vector<double>> feature_windows;
};

struct InsertOutcome {
  std::int64_t accepted = 0;    // new rows stored
  std::int64_t duplicates = 0;  // already stored (or repeated within the batch)
};

// Stores `batch` as one write job, all or nothing: new rows are inserted with their
// feature windows (record_windows(), windows.hpp), duplicates of (device_id, result_id)
// skipped and counted (their windows too), and each new device's row created (devices.hpp;
// its counters follow with sync_result_aggregates()).
// A record the store cannot keep fails the whole batch with invalid_argument and its
// index; nothing is stored then. With `live_token_id` > 0 the job first confirms that
// token is still valid (tokens.hpp, confirm_token_live) and stores nothing, failing
// with token_revoked, when it is not.
Result<InsertOutcome> insert_results(Store& store, std::vector<ResultRecord> batch,
                                     util::UnixMs received, std::int64_t live_token_id = 0);

// insert_results() without waiting: `done` gets the outcome exactly once — at once, on this
// thread, when the batch is refused before it is queued (an invalid record, no room, the
// store closed), else on the writer's thread right after the commit (Writer::submit_then:
// `done` must be quick and must not throw).
void insert_results_then(Store& store, std::vector<ResultRecord> batch, util::UnixMs received,
                         std::int64_t live_token_id,
                         std::function<void(Result<InsertOutcome>)> done);

// The devices' result counters (first/last seen, model version, results_count) and the
// drift buckets' prediction statistics are derived from the stored results in batches, not
// by each ingest job: every result after the mark kept in meta ("results_aggregated_through")
// is added to them and the mark moves on, in one transaction, so a result is counted
// exactly once, also across a crash (the first sync after a restart counts what the crash
// left out). Ingest jobs sync when the last sync is 200 ms old or 1000 results behind; the
// reads of those aggregates (list_devices, latest_model_version, read_buckets, has_buckets,
// first_results_bucket) sync first, so a reader sees every result acknowledged before it.
// Inside a write job:
void sync_result_aggregates(WriteTxn& txn);
// As a write job of its own.
Status sync_result_aggregates(Store& store);

// The results stored after the mark: what the next sync adds. A read that must be exact
// even while syncs fail (a full disk, a read-only database) adds them itself.
struct UnsyncedResults {
  using Row = BasicResultPrediction<std::string>;
  bool marked = false;       // the schema keeps the aggregates
  std::int64_t through = 0;  // the mark: the last result counted
  std::int64_t newest = 0;   // the newest result read
  std::vector<Row> rows;     // in id order

  // Views into `rows`.
  std::vector<ResultPrediction> predictions() const;
  // Each device's share of `predictions` (views into them).
  static std::map<std::string_view, DeviceActivity> devices(
      std::span<const ResultPrediction> predictions);
};
UnsyncedResults unsynced_results(Connection& c);

// Deletes results whose timestamp is before `cutoff`, `batch_rows` per write job so other
// writes interleave, until none is left. Device counts are kept (the aggregates are synced
// first), and so is the newest result, so that result ids keep growing. Returns the rows
// deleted.
Result<std::int64_t> delete_results_before(Store& store, util::UnixMs cutoff,
                                           std::int64_t batch_rows = 5000);

}  // namespace driftd::store
