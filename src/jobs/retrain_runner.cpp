// The runner's loop and what its state handlers share: entering states, ending runs,
// deciding about failed calls, and committing changes with the ledger around each call.
#include "driftd/jobs/retrain_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "driftd/jobs/outside_call_metrics.hpp"
#include "driftd/jobs/retrain_policy.hpp"
#include "driftd/util/duration.hpp"
#include "driftd/util/secrets.hpp"
#include "retrain_context.hpp"

namespace driftd::jobs {

namespace detail {

Context::Context(store::Store& s, const config::Config& c, RetrainRunnerOptions o)
    : store(s), config(c), options(std::move(o)) {
  net::HttpClient http(options.observer);
  if (options.ei_api_key && !options.ei_api_key->empty()) {
    ingestion.emplace(http, config.edge_impulse, *options.ei_api_key, options.timeouts);
    studio.emplace(http, config.edge_impulse, *options.ei_api_key, options.timeouts);
  }
  if (options.github_token && !options.github_token->empty()) {
    github.emplace(http, config.github, *options.github_token, options.timeouts);
  }
  rng.seed(options.seed != 0 ? options.seed : std::random_device{}());
}

double Context::unit_random() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

void Context::checkpoint(std::string_view kind, std::string_view point) const {
  if (options.checkpoint) options.checkpoint(std::string(kind) + ":" + std::string(point));
}

void Context::count_not_sent(std::string_view service) const {
  options.metrics.outside_requests
      .labels({std::string(service), std::string(util::k_outcome_not_sent)})
      .inc();
}

store::RunChange change_of(const store::RetrainRun& run, util::UnixMs now) {
  store::RunChange change;
  change.run_id = run.id;
  change.at = now;
  return change;
}

void clear_retries(store::RunChange& change) {
  change.attempts = 0;
  change.retrying_since = std::optional<util::UnixMs>();
}

void enter(store::RunChange& change, store::RunState next, std::string substep,
           std::string detail) {
  change.state = next;
  change.substep = std::move(substep);
  change.next_attempt_at = change.at;
  change.phase_started_at = std::optional<util::UnixMs>();
  clear_retries(change);
  change.step(std::string(store::to_string(next)), std::move(detail));
}

void finish(store::RunChange& change, store::RunState terminal, std::optional<std::string> error,
            std::string detail) {
  change.state = terminal;
  change.substep = "";
  change.next_attempt_at = change.at;
  clear_retries(change);
  if (error) change.error = std::optional<std::string>(util::redact(*error));
  change.step(std::string(store::to_string(terminal)), util::redact(std::move(detail)));
}

std::string describe_wait(util::UnixMs ms) {
  char buf[48];
  if (ms < 60'000) {
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms) / 1000.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f min", static_cast<double>(ms) / 60'000.0);
  }
  return buf;
}

void after_failure(Context& ctx, const store::RetrainRun& run, store::RunChange& change,
                   const clients::RemoteError& error, const std::string& what) {
  const std::string reason =
      what + " failed (" + std::string(clients::to_string(error.kind)) + "): " + error.message;
  const std::string step = std::string(store::to_string(run.state));
  if (!error.transient()) {
    finish(change, store::RunState::failed, reason, reason);
    return;
  }
  const util::UnixMs since = run.retrying_since.value_or(change.at);
  const auto timeout = ctx.config.retrain.job_timeout.count();
  if (change.at - since >= timeout) {
    const std::string gave_up = reason + "; gave up after " + std::to_string(run.attempts + 1) +
                                " attempts over " +
                                util::format_duration(ctx.config.retrain.job_timeout);
    finish(change, store::RunState::failed, gave_up, gave_up);
    return;
  }
  const int attempt = run.attempts + 1;
  const auto wait = retry_delay(attempt, error.retry_after, ctx.unit_random());
  change.attempts = attempt;
  change.retrying_since = std::optional<util::UnixMs>(since);
  change.next_attempt_at = change.at + wait.count();
  std::string detail =
      reason + "; retry " + std::to_string(attempt) + " in " + describe_wait(wait.count());
  if (error.retry_after) {
    detail += " (the service asked to wait " + describe_wait(error.retry_after->count()) + ")";
  }
  change.step(step, util::redact(std::move(detail)));
}

store::CallOutcome failed_outcome(const clients::RemoteError& error) {
  store::CallOutcome outcome;
  outcome.state = store::CallState::failed;
  outcome.result = util::redact(error.message);
  outcome.error_kind = std::string(clients::to_string(error.kind));
  return outcome;
}

Status commit(Context& ctx, const store::RunChange& change) {
  Status applied = store::apply_run_change(ctx.store, change);
  if (applied && change.state) {
    ctx.options.metrics.retrain_runs.labels({std::string(store::to_string(*change.state))}).inc();
  }
  return applied;
}

Result<std::int64_t> commit_intent(Context& ctx, std::string_view kind,
                                   std::string_view ledger_kind, const store::RunChange& change) {
  auto id = store::record_call_intent(ctx.store, std::string(ledger_kind), change);
  if (id) ctx.checkpoint(kind, "intent");
  return id;
}

Status commit_outcome(Context& ctx, std::string_view kind, std::int64_t call_id,
                      const store::CallOutcome& outcome, const store::RunChange& change) {
  ctx.checkpoint(kind, "sent");
  Status recorded = store::record_call_outcome(ctx.store, call_id, outcome, change);
  if (!recorded) return recorded;
  if (change.state) {
    ctx.options.metrics.retrain_runs.labels({std::string(store::to_string(*change.state))}).inc();
  }
  ctx.checkpoint(kind, "outcome");
  return recorded;
}

}  // namespace detail

RetrainRunnerOptions runner_options(const config::Config& config,
                                    const util::DriftdMetrics& metrics) {
  RetrainRunnerOptions options;
  options.ei_api_key = util::read_secret(config.edge_impulse.api_key_env);
  options.github_token = util::read_secret(config.github.token_env);
  options.observer = outside_call_metrics(metrics);
  options.metrics = metrics;
  options.checkpoint = checkpoint_from_environment();
  if (config.retrain.enabled && !config.retrain.dry_run) {
    if (!options.ei_api_key) {
      spdlog::warn(
          "retrain: no Edge Impulse API key in {} (environment or credential): live runs "
          "will fail",
          config.edge_impulse.api_key_env);
    }
    if (!options.github_token) {
      spdlog::warn(
          "retrain: no GitHub token in {} (environment or credential): live runs will "
          "fail at the dispatch",
          config.github.token_env);
    }
  }
  return options;
}

namespace {
constexpr util::UnixMs k_storage_retry_ms = 1000;
}  // namespace

struct RetrainRunner::Impl {
  explicit Impl(store::Store& s, const config::Config& c, RetrainRunnerOptions o)
      : ctx(s, c, std::move(o)) {}
  detail::Context ctx;
};

RetrainRunner::RetrainRunner(store::Store& store, const config::Config& config,
                             RetrainRunnerOptions options)
    : m_impl(std::make_unique<Impl>(store, config, std::move(options))) {}

RetrainRunner::~RetrainRunner() = default;

Result<std::optional<util::UnixMs>> RetrainRunner::run_once(util::UnixMs now) {
  detail::Context& ctx = m_impl->ctx;
  auto active = store::list_active_runs(ctx.store);
  if (!active) return active.error();
  bool failed_any = false;
  for (const store::RetrainRun& run : *active) {
    if (run.next_attempt_at > now) continue;
    Status stepped = Ok{};
    switch (run.state) {
      case store::RunState::pending:
        stepped = detail::advance_pending(ctx, run, now);
        break;
      case store::RunState::uploading:
        stepped = detail::advance_uploading(ctx, run, now);
        break;
      case store::RunState::training:
        stepped = detail::advance_training(ctx, run, now);
        break;
      case store::RunState::testing:
        stepped = detail::advance_testing(ctx, run, now);
        break;
      case store::RunState::dispatching:
        stepped = detail::advance_dispatching(ctx, run, now);
        break;
      default:
        break;
    }
    if (!stepped) {
      failed_any = true;
      spdlog::warn("retrain run {}: step in state {} not recorded: {}", run.id,
                   store::to_string(run.state), stepped.error().message);
    }
  }
  auto still = store::list_active_runs(ctx.store);
  if (!still) return still.error();
  std::optional<util::UnixMs> next;
  for (const store::RetrainRun& run : *still) {
    next = next ? std::min(*next, run.next_attempt_at) : run.next_attempt_at;
  }
  // A step the store could not record is tried again, but not in a tight loop.
  if (failed_any && next) next = std::max(*next, now + k_storage_retry_ms);
  return next;
}

}  // namespace driftd::jobs
