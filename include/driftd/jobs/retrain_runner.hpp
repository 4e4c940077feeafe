#pragma once
// The durable retrain runner: carries every active run through
//   pending → uploading → training → testing → dispatching → succeeded | rejected | failed
// (SPEC §4, §7), keeping all of its state in the store, so that a restart resumes each run
// where it was instead of repeating what was done (docs/retrain.md).
//
// run_once(now) advances each run whose next attempt is due by one step, making at most one
// outside call per run; a test drives it directly, the daemon through RetrainWorker
// (retrain_worker.hpp). The runner is the one place that decides what to do about a failed
// outside call (STYLE rule 7): transient failures are retried with exponential backoff and
// full jitter (never sooner than Retry-After / x-ratelimit-reset asks), permanent ones fail
// the run with the reason. Every decision is a step in the run's log.
//
// Secrets are given to the runner (read by runner_options() with util::read_secret) and only
// handed to the clients; they are never logged or stored.

#include <memory>
#include <optional>
#include <random>
#include <string>

#include "driftd/config/config.hpp"
#include "driftd/jobs/fault_injection.hpp"
#include "driftd/net/http_client.hpp"
#include "driftd/net/timeouts.hpp"
#include "driftd/store/retrain_runs.hpp"
#include "driftd/store/store.hpp"
#include "driftd/util/metric_names.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::jobs {

struct RetrainRunnerOptions {
  std::optional<std::string> ei_api_key;        // edge_impulse.api_key_env's secret
  std::optional<std::string> github_token;      // github.token_env's secret
  net::TimeoutPolicy timeouts{};                // per outside call
  std::shared_ptr<net::CallObserver> observer;  // sees every outside call (metrics)
  util::DriftdMetrics metrics{};                // runs_total by state; "not_sent" dry-run calls
  Checkpoint checkpoint;                        // fault injection (fault_injection.hpp)
  std::uint64_t seed = 0;                       // of the retry jitter; 0 draws one
};

// The options of the daemon: the secrets read with util::read_secret under the names the
// config gives, an observer counting into `metrics`, the checkpoint from the environment.
RetrainRunnerOptions runner_options(const config::Config& config,
                                    const util::DriftdMetrics& metrics);

class RetrainRunner {
 public:
  RetrainRunner(store::Store& store, const config::Config& config, RetrainRunnerOptions options);
  ~RetrainRunner();
  RetrainRunner(const RetrainRunner&) = delete;
  RetrainRunner& operator=(const RetrainRunner&) = delete;

  // Advances every active run whose next attempt is due at `now` by one step (at most one
  // outside call each). Returns when the runner next has work: the earliest next attempt of
  // the runs still active, or nothing when no run is active. Errors only when the store
  // cannot be read; a run whose step hits a storage error is retried on the next call.
  Result<std::optional<util::UnixMs>> run_once(util::UnixMs now);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace driftd::jobs
