#pragma once
// Internal to the retrain runner: what its state handlers share, and the handlers
// themselves (one file per phase: retrain_upload.cpp, retrain_jobs.cpp,
// retrain_dispatch.cpp). Not part of the jobs module's interface.

#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "driftd/clients/edge_impulse_ingestion.hpp"
#include "driftd/clients/edge_impulse_studio.hpp"
#include "driftd/clients/github.hpp"
#include "driftd/clients/remote_error.hpp"
#include "driftd/config/config.hpp"
#include "driftd/jobs/retrain_runner.hpp"
#include "driftd/store/retrain_runs.hpp"
#include "driftd/store/store.hpp"

namespace driftd::jobs::detail {

// Ledger kinds (store/retrain_runs.hpp) and checkpoint prefixes.
inline constexpr std::string_view k_call_upload = "upload";
inline constexpr std::string_view k_call_retrain = "retrain";
inline constexpr std::string_view k_call_classify = "classify";
inline constexpr std::string_view k_call_dispatch = "dispatch";

// The error_kind recorded for an intent found without outcome after a restart.
inline constexpr std::string_view k_lost_outcome = "lost";

// How many clips are considered for a choice, per clip to upload (newest first).
inline constexpr std::size_t k_candidates_per_clip = 20;
// Lines of a failed job's log kept in the run's error.
inline constexpr int k_log_tail_lines = 12;
inline constexpr std::size_t k_log_tail_chars = 1500;
// A job created up to this long before our first request to start one may be ours
// (clock differences between driftd and Studio).
inline constexpr util::UnixMs k_adoption_margin_ms = 5 * 60 * 1000;

struct Context {
  Context(store::Store& s, const config::Config& c, RetrainRunnerOptions o);

  store::Store& store;
  const config::Config& config;
  RetrainRunnerOptions options;
  std::optional<clients::IngestionClient> ingestion;  // set when the API key is known
  std::optional<clients::StudioClient> studio;        // set when the API key is known
  std::optional<clients::GitHubClient> github;        // set when the token is known
  std::mt19937_64 rng;

  // Uniform in [0, 1), for the retry jitter.
  double unit_random();
  // The fault-injection checkpoint "<kind>:<point>".
  void checkpoint(std::string_view kind, std::string_view point) const;
  // A call not made because the run is a dry run.
  void count_not_sent(std::string_view service) const;
  // Whether the quality gate runs.
  bool gate_on() const { return config.retrain.min_test_accuracy > 0; }
};

// A change of `run` at `now` with nothing set yet.
store::RunChange change_of(const store::RetrainRun& run, util::UnixMs now);

// Sets `change` to enter `next` (at `substep`) and to continue at once; adds the step.
void enter(store::RunChange& change, store::RunState next, std::string substep, std::string detail);

// Sets `change` to end the run in `terminal` (error recorded for rejected/failed).
void finish(store::RunChange& change, store::RunState terminal, std::optional<std::string> error,
            std::string detail);

// Sets `change` to react to the failed outside call `what`: a later retry while the failure
// is transient and the run has retried for less than retrain.job_timeout, else the end of
// the run (failed) with the reason.
void after_failure(Context& ctx, const store::RetrainRun& run, store::RunChange& change,
                   const clients::RemoteError& error, const std::string& what);

// Clears the retry bookkeeping after a success.
void clear_retries(store::RunChange& change);

// Applies `change` and counts the state it enters.
Status commit(Context& ctx, const store::RunChange& change);
// Records the intent of call `kind` (with `change`), then runs the "<kind>:intent" checkpoint.
Result<std::int64_t> commit_intent(Context& ctx, std::string_view kind,
                                   std::string_view ledger_kind, const store::RunChange& change);
// Records the outcome of call `call_id` (with `change`, counted), around the ":sent" and
// ":outcome" checkpoints.
Status commit_outcome(Context& ctx, std::string_view kind, std::int64_t call_id,
                      const store::CallOutcome& outcome, const store::RunChange& change);

// The ledger outcome of a failed call.
store::CallOutcome failed_outcome(const clients::RemoteError& error);

// "12.3 s", "5 min" — for steps.
std::string describe_wait(util::UnixMs ms);

// The state handlers: one step of a run in that state.
Status advance_pending(Context& ctx, const store::RetrainRun& run, util::UnixMs now);
Status advance_uploading(Context& ctx, const store::RetrainRun& run, util::UnixMs now);
Status advance_training(Context& ctx, const store::RetrainRun& run, util::UnixMs now);
Status advance_testing(Context& ctx, const store::RetrainRun& run, util::UnixMs now);
Status advance_dispatching(Context& ctx, const store::RetrainRun& run, util::UnixMs now);

}  // namespace driftd::jobs::detail
