#pragma once
// Stored drift evaluations and the episode state of each model version (migration 0005,
// tables drift_evaluations and drift_episodes). An evaluation is kept as the JSON body
// GET /api/v1/drift answers with, next to the columns it is looked up by.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;

struct EvaluationRecord {
  std::int64_t id = 0;  // set when read back
  std::string model_version;
  std::optional<std::string> device_id;  // nothing: fleet-wide
  util::UnixMs evaluated_at = 0;
  util::UnixMs window_from = 0;
  util::UnixMs window_to = 0;
  std::string status;  // ok | warn | alarm | insufficient_data | no_reference
  std::int64_t reference_id = 0;
  std::string body;  // the GET /api/v1/drift JSON
};

// The episode policy's persisted state of one model version.
struct EpisodeRecord {
  std::string model_version;
  std::string state;                        // drift::EpisodeState JSON
  std::optional<std::string> run_id;        // the run created for the current episode
  std::optional<std::string> last_trigger;  // JSON outcome of the episode's latest trigger
  util::UnixMs updated_at = 0;
};

// Stores the evaluations of one pass and, when given, the episode states it changed, in one
// write job (all or nothing).
Status save_evaluations(Store& store, const std::vector<EvaluationRecord>& evaluations,
                        const std::vector<EpisodeRecord>& episodes);

// The newest stored evaluation of a model version, fleet-wide or of one device.
Result<std::optional<EvaluationRecord>> latest_evaluation(
    Store& store, std::string_view model_version, const std::optional<std::string>& device_id);

// Stored evaluations with evaluated_at in [since, until], newest first, at most `limit`.
Result<std::vector<EvaluationRecord>> evaluation_history(
    Store& store, std::string_view model_version, const std::optional<std::string>& device_id,
    util::UnixMs since, util::UnixMs until, std::size_t limit);

// The episode record of a model version; nothing before its first judged evaluation.
Result<std::optional<EpisodeRecord>> load_episode(Store& store, std::string_view model_version);

// Every episode record, by model version.
Result<std::vector<EpisodeRecord>> list_episodes(Store& store);

// Deletes evaluations older than `cutoff`, `batch_rows` per write job. Returns the rows
// deleted.
Result<std::int64_t> delete_evaluations_before(Store& store, util::UnixMs cutoff,
                                               std::int64_t batch_rows = 5000);

}  // namespace driftd::store
