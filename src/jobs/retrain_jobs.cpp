// training and testing: the two Edge Impulse jobs of a run, the retrain job and (when the
// quality gate is on) the classify job over the project's test set. Each phase walks the
// substeps
//   start → poll → (testing: result) → next state
//                → log → failed            (the job finished unsuccessfully)
// Starting a job is the one call that is not safe to repeat: Studio has no idempotency key.
// So when an earlier start may have reached Studio without us learning the answer (an
// intent without outcome after a restart, a timeout, a dropped connection, a 5xx), the
// runner first lists the project's jobs and adopts one of the right kind created since its
// first attempt (substep "start" → "start:checked"), and only sends again when there is none.
#include <algorithm>
#include <cctype>

#include "driftd/jobs/retrain_policy.hpp"
#include "driftd/util/duration.hpp"
#include "driftd/util/metric_names.hpp"
#include "driftd/util/secrets.hpp"
#include "retrain_context.hpp"

namespace driftd::jobs::detail {

namespace {

// What differs between the two job phases.
struct JobPhase {
  std::string_view kind;            // ledger kind and checkpoint prefix: "retrain" | "classify"
  store::RunState state;            // training | testing
  std::string noun;                 // "retrain job" | "classify job"
  std::optional<std::int64_t> job;  // the run's job id for this phase
};

JobPhase phase_of(const store::RetrainRun& run, const Context& ctx) {
  if (run.state == store::RunState::training) {
    return {k_call_retrain, store::RunState::training, "retrain job", run.job_id};
  }
  return {k_call_classify, store::RunState::testing,
          "classify job (" + ctx.config.retrain.test_variant + ", test set)", run.test_job_id};
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Whether a listed job is of the phase's kind (Studio's category texts are not documented:
// the key, category key or category naming it is accepted).
bool is_kind(const clients::JobSummary& job, std::string_view kind) {
  const std::string needle = kind == k_call_retrain ? "retrain" : "classify";
  return lower(job.category_key).find(needle) != std::string::npos ||
         lower(job.key).find(needle) != std::string::npos ||
         lower(job.category).find(needle) != std::string::npos;
}

bool ambiguous(const store::OutsideCall& call) {
  if (call.state == store::CallState::intent) return true;
  if (call.state != store::CallState::failed || !call.error_kind) return false;
  const std::string& k = *call.error_kind;
  return k == "timeout" || k == "transport" || k == "server_error" || k == k_lost_outcome;
}

// Where the next state starts after a job phase ends well.
void enter_next(Context& ctx, store::RunChange& change, const JobPhase& phase, std::string detail) {
  if (phase.state == store::RunState::training && ctx.gate_on()) {
    enter(change, store::RunState::testing, "start", std::move(detail));
  } else {
    enter(change, store::RunState::dispatching, "", std::move(detail));
  }
}

// Records the job as started (or adopted): poll it from now on.
void job_started(Context& ctx, store::RunChange& change, const JobPhase& phase, std::int64_t job_id,
                 const std::string& how) {
  if (phase.state == store::RunState::training) {
    change.job_id = job_id;
  } else {
    change.test_job_id = job_id;
  }
  change.substep = "poll";
  change.phase_started_at = std::optional<util::UnixMs>(change.at);
  change.next_attempt_at = change.at + ctx.config.retrain.poll_interval.count();
  clear_retries(change);
  change.step(std::string(store::to_string(phase.state)),
              phase.noun + " " + std::to_string(job_id) + " " + how);
}

Status start_job(Context& ctx, const store::RetrainRun& run, util::UnixMs now,
                 const JobPhase& phase) {
  auto change = change_of(run, now);
  auto calls = store::run_calls(ctx.store, run.id);
  if (!calls) return calls.error();
  std::vector<store::OutsideCall> mine;
  for (auto& c : *calls) {
    if (c.kind == phase.kind) mine.push_back(std::move(c));
  }

  // 1. An earlier start may have reached Studio: look for its job before sending again.
  if (!mine.empty() && ambiguous(mine.back()) && run.substep != "start:checked") {
    const util::UnixMs since = mine.front().intent_at - k_adoption_margin_ms;
    auto jobs = ctx.studio->list_jobs(since);
    if (!jobs) {
      after_failure(ctx, run, change, jobs.error(), "listing the project's jobs");
      return commit(ctx, change);
    }
    for (const auto& job : jobs.value()) {
      if (!is_kind(job, phase.kind) || (job.created && *job.created < since)) continue;
      auto known = store::is_known_job(ctx.store, job.id);
      if (!known) return known.error();
      if (*known) continue;
      job_started(ctx, change, phase, job.id,
                  "found in the project's jobs: the earlier request had started it");
      if (mine.back().state == store::CallState::intent) {
        store::CallOutcome outcome;
        outcome.remote_id = std::to_string(job.id);
        outcome.result = "job " + std::to_string(job.id) + " (found after the outcome was lost)";
        return commit_outcome(ctx, phase.kind, mine.back().id, outcome, change);
      }
      return commit(ctx, change);
    }
    change.substep = "start:checked";
    change.next_attempt_at = now;
    change.step(std::string(store::to_string(phase.state)),
                "no " + phase.noun + " was started by the earlier request: starting one");
    return commit(ctx, change);
  }

  // 2. Start it.
  auto intent = change_of(run, now);
  auto call_id = commit_intent(ctx, phase.kind, phase.kind, intent);
  if (!call_id) return call_id.error();
  auto started = phase.state == store::RunState::training
                     ? ctx.studio->start_retrain()
                     : ctx.studio->start_classify(ctx.config.retrain.test_variant);
  if (!started) {
    after_failure(ctx, run, change, started.error(), "starting the " + phase.noun);
    if (!change.state) {
      change.substep = "start";
      // A request that may have reached Studio is looked for once Studio had the time to
      // finish handling it: no sooner than one call timeout from now.
      const auto kind = started.error().kind;
      if (kind == clients::RemoteErrorKind::timeout ||
          kind == clients::RemoteErrorKind::transport ||
          kind == clients::RemoteErrorKind::server_error) {
        change.next_attempt_at = std::max(change.next_attempt_at.value_or(now),
                                          now + ctx.options.timeouts.api.total.count());
      }
    }
    return commit_outcome(ctx, phase.kind, *call_id, failed_outcome(started.error()), change);
  }
  job_started(ctx, change, phase, started.value(), "started");
  store::CallOutcome outcome;
  outcome.remote_id = std::to_string(started.value());
  outcome.result = "job " + std::to_string(started.value());
  return commit_outcome(ctx, phase.kind, *call_id, outcome, change);
}

Status poll_job(Context& ctx, const store::RetrainRun& run, util::UnixMs now,
                const JobPhase& phase) {
  auto change = change_of(run, now);
  const std::int64_t job = *phase.job;
  auto status = ctx.studio->job_status(job);
  if (!status) {
    after_failure(ctx, run, change, status.error(),
                  "reading the status of " + phase.noun + " " + std::to_string(job));
    return commit(ctx, change);
  }
  const std::string name = phase.noun + " " + std::to_string(job);
  if (status->succeeded()) {
    if (phase.state == store::RunState::testing) {
      change.substep = "result";
      change.next_attempt_at = now;
      clear_retries(change);
      change.step("testing", name + " finished");
    } else {
      enter_next(ctx, change, phase, name + " finished successfully");
    }
    return commit(ctx, change);
  }
  if (status->finished()) {
    change.substep = "log";
    change.next_attempt_at = now;
    change.error = std::optional<std::string>(name + " failed");
    change.step(std::string(store::to_string(phase.state)), name + " failed: reading its log");
    return commit(ctx, change);
  }
  const util::UnixMs started = run.phase_started_at.value_or(now);
  if (now - started >= ctx.config.retrain.job_timeout.count()) {
    const std::string why = name + " did not finish within retrain.job_timeout (" +
                            util::format_duration(ctx.config.retrain.job_timeout) + ")";
    finish(change, store::RunState::failed, why, why);
    return commit(ctx, change);
  }
  change.next_attempt_at = now + ctx.config.retrain.poll_interval.count();
  clear_retries(change);
  return commit(ctx, change);
}

Status fail_with_log(Context& ctx, const store::RetrainRun& run, util::UnixMs now,
                     const JobPhase& phase) {
  auto change = change_of(run, now);
  const std::string name = phase.noun + " " + std::to_string(*phase.job);
  auto log = ctx.studio->job_log(*phase.job, k_log_tail_lines);
  std::string why = name + " failed";
  if (log) {
    std::string tail;
    for (const auto& line : log.value()) tail += (tail.empty() ? "" : "\n") + line.data;
    if (tail.size() > k_log_tail_chars) tail = "..." + tail.substr(tail.size() - k_log_tail_chars);
    if (!tail.empty()) why += "; the end of its log:\n" + tail;
  } else {
    why += " (its log could not be read: " + log.error().message + ")";
  }
  finish(change, store::RunState::failed, why, why);
  return commit(ctx, change);
}

Status read_test_result(Context& ctx, const store::RetrainRun& run, util::UnixMs now) {
  auto change = change_of(run, now);
  auto result = ctx.studio->classify_result(ctx.config.retrain.test_variant);
  if (!result) {
    after_failure(ctx, run, change, result.error(), "reading the test-set classification");
    return commit(ctx, change);
  }
  const auto verdict = judge_test_set(result.value(), ctx.config.retrain.min_test_accuracy);
  if (verdict.accuracy) change.test_accuracy = *verdict.accuracy;
  if (!verdict.per_class.empty()) change.test_per_class = verdict.per_class;
  if (verdict.kind == GateVerdict::Kind::passed) {
    enter(change, store::RunState::dispatching, "", verdict.detail);
  } else {
    finish(change, store::RunState::rejected, verdict.detail,
           verdict.detail + ": nothing dispatched");
  }
  return commit(ctx, change);
}

Status dry_run_phase(Context& ctx, const store::RetrainRun& run, util::UnixMs now,
                     const JobPhase& phase) {
  auto change = change_of(run, now);
  ctx.count_not_sent(util::k_service_ei_studio);
  enter_next(ctx, change, phase, phase.noun + ": not sent (dry run)");
  return commit(ctx, change);
}

Status advance_job_phase(Context& ctx, const store::RetrainRun& run, util::UnixMs now) {
  const JobPhase phase = phase_of(run, ctx);
  if (run.dry_run) return dry_run_phase(ctx, run, now, phase);
  if (!ctx.studio) {
    auto change = change_of(run, now);
    const std::string why = "no Edge Impulse API key: set the environment variable or credential " +
                            ctx.config.edge_impulse.api_key_env;
    finish(change, store::RunState::failed, why, why);
    return commit(ctx, change);
  }
  if (!phase.job) return start_job(ctx, run, now, phase);
  if (run.substep == "log") return fail_with_log(ctx, run, now, phase);
  if (run.substep == "result") return read_test_result(ctx, run, now);
  return poll_job(ctx, run, now, phase);
}

}  // namespace

Status advance_training(Context& ctx, const store::RetrainRun& run, util::UnixMs now) {
  return advance_job_phase(ctx, run, now);
}

Status advance_testing(Context& ctx, const store::RetrainRun& run, util::UnixMs now) {
  return advance_job_phase(ctx, run, now);
}

}  // namespace driftd::jobs::detail
