#pragma once
// The live drift evaluator (docs/drift.md, "Live engine"): from the pre-binned buckets of
// the current window (store/drift_buckets.hpp) to stored evaluations, episodes, retrain
// triggers and metrics.
//
// run_once(now) is one pass: for every model version with data in [now − drift.window,
// now] it completes a pending re-binning (bounded per pass), reads the window's buckets,
// evaluates the fleet and each device against the version's reference
// (drift::evaluate_fleet), attributes the drift, steps the version's episode (which may
// call the retrain trigger), stores the evaluations and sets the driftd_drift_* gauges.
// Older versions' episodes end when a newer version is reported. Once an hour, results and
// evaluations older than storage.results_retention are deleted, and feature windows and
// buckets older than that or the drift window, whichever is longer. The cost of a pass grows with
// devices × buckets in the window, not with the data stored.
//
// Per-device evaluations are stored when a device's status changed or its previous stored
// evaluation is k_device_history_every old; the latest of every device is kept in memory.
// Thread-safe: passes and answers are serialised on one mutex. DriftWorker
// (drift_worker.hpp) calls run_once on its thread; the routes call answer() and
// evaluate_now().

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "driftd/config/config.hpp"
#include "driftd/drift/fleet_evaluation.hpp"
#include "driftd/store/store.hpp"
#include "driftd/util/metric_names.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::jobs {

// A device's evaluation is stored at least this often (and whenever its status changes).
inline constexpr std::chrono::milliseconds k_device_history_every = std::chrono::hours(1);
// Re-binning batches one scheduled pass may spend on a model version.
inline constexpr std::size_t k_rebin_batches_per_pass = 200;
// How often old history is deleted.
inline constexpr std::chrono::milliseconds k_retention_every = std::chrono::hours(1);
// The most evaluations GET /api/v1/drift/history returns.
inline constexpr std::size_t k_max_history = 5000;

// What to do with one model version's evaluation.
struct VersionOptions {
  bool count_in_policy = true;  // step the episode policy (and maybe trigger a retrain)
  bool store = true;            // keep the evaluations and set the gauges
  bool complete_rebin = false;  // finish a pending re-binning however long it takes
  // Also evaluate this device (an empty sample when it has no data in the window; such an
  // evaluation is not stored) and give its body.
  std::optional<std::string> include_device;
};

// One model version's evaluation at one time.
struct VersionEvaluation {
  drift::FleetEvaluation evaluation;
  nlohmann::json fleet_body;                  // the GET /api/v1/drift body, fleet-wide
  std::optional<nlohmann::json> device_body;  // of VersionOptions::include_device
  std::int64_t bucket_rows_read = 0;
  std::int64_t stored = 0;  // evaluations stored
  std::optional<std::string> run_created;
};

struct DriftPassReport {
  std::vector<std::string> evaluated;  // model versions evaluated
  std::vector<std::string> deferred;   // still re-binning: evaluated in a later pass
  std::int64_t evaluations_stored = 0;
  std::int64_t bucket_rows_read = 0;
  std::vector<std::string> runs_created;
};

class DriftEvaluator {
 public:
  DriftEvaluator(store::Store& store, const config::Config& config,
                 util::DriftdMetrics metrics = {});
  ~DriftEvaluator();
  DriftEvaluator(const DriftEvaluator&) = delete;
  DriftEvaluator& operator=(const DriftEvaluator&) = delete;

  // Stores the engine settings the write jobs bin with (bucket length from drift.window,
  // window geometry from features). Call before clips or results are accepted.
  Status prepare();

  // One pass (above).
  Result<DriftPassReport> run_once(util::UnixMs now);

  // Evaluates one model version at `now`. Errors: not_found when the version has neither
  // data nor a reference; deferred ("rebinning") when its re-binning is not done and
  // options.complete_rebin is off; storage errors.
  Result<VersionEvaluation> evaluate_version(const std::string& model_version, util::UnixMs now,
                                             const VersionOptions& options = {});

  // The body of GET /api/v1/drift for `model_version` (default: the one most recently
  // reported by a device), fleet-wide or for `device_id`: the latest evaluation, or one
  // made on the spot (stored, not counted in the episode policy) when none exists yet.
  // Errors: not_found when no model version is known (or the one asked has neither data
  // nor a reference).
  Result<nlohmann::json> answer(const std::optional<std::string>& model_version,
                                const std::optional<std::string>& device_id, util::UnixMs now);

  // POST /api/v1/drift/evaluate: a pass at `now`, then the evaluation of the asked (or
  // default) model version from it — evaluated now even when it had no data in the window.
  Result<nlohmann::json> evaluate_now(const std::optional<std::string>& model_version,
                                      const std::optional<std::string>& device_id,
                                      util::UnixMs now);

  // The model version answers default to: the one most recently reported by a device.
  // not_found before any device reported.
  Result<std::string> default_model_version();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace driftd::jobs
