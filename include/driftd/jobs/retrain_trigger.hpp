#pragma once
// Starting retrain runs: the one entry point for the drift engine (a sustained alarm) and for
// admins (POST /api/v1/retrains). The guard (jobs/retrain_policy.hpp check_trigger) and the
// creation happen in one database transaction, so two triggers racing for the same model
// version cannot both create a run. Every refusal is logged. The retrain runner
// (retrain_runner.hpp) then carries the run out.

#include <optional>

#include "driftd/config/config.hpp"
#include "driftd/jobs/retrain_policy.hpp"
#include "driftd/store/retrain_runs.hpp"
#include "driftd/store/store.hpp"
#include "driftd/util/metrics.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::jobs {

// Either the run just created (state pending) or why none was.
struct TriggerOutcome {
  std::optional<store::RetrainRun> run;
  std::optional<Blocked> blocked;
};

// The largest drift summary kept with a run (its JSON text); a larger one is dropped.
inline constexpr std::size_t k_max_drift_summary_bytes = 8 * 1024;

// Creates a run for `request` unless the guard refuses it (disabled, active run, episode
// already retrained, cooldown: retrain_policy.hpp). The run is a dry run when
// retrain.dry_run is set now. Counts the new run in `runs_total{state="pending"}` (a
// detached family counts nowhere). Errors: invalid_argument for a bad model version,
// storage errors.
Result<TriggerOutcome> request_retrain(store::Store& store, const config::Config& config,
                                       const RetrainRequest& request, util::UnixMs now,
                                       const util::CounterFamily& runs_total = {});

// What would refuse `request` now, without creating anything (for showing
// "retrain": {"blocked_by", "until"} next to a drift evaluation). Nothing: it would pass.
Result<std::optional<Blocked>> retrain_block(store::Store& store, const config::Config& config,
                                             const RetrainRequest& request, util::UnixMs now);

}  // namespace driftd::jobs
