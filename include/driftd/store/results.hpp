#pragma once
// Classification results sent by devices (POST /api/v1/results), stored one row each.
// A result carrying a result_id is stored once per device: a retried upload is
// acknowledged as a duplicate and neither stored nor counted again (as long as the first
// copy is within retention).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

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
// skipped and counted (their windows too), and each device's row updated (devices.hpp).
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

// Deletes results whose timestamp is before `cutoff`, `batch_rows` per write job so other
// writes interleave, until none is left. Device counts are kept. Returns the rows deleted.
Result<std::int64_t> delete_results_before(Store& store, util::UnixMs cutoff,
                                           std::int64_t batch_rows = 5000);

}  // namespace driftd::store
