// dispatching: the repository_dispatch that makes the firmware repository build and deploy
// the new model. GitHub offers no idempotency key and no way to ask whether an event was
// received, so the one window that cannot be closed from here — the answer arrived but the
// process died before recording it — is resolved towards sending again (at least once),
// and the workflow ignores a second event for the same Edge Impulse job
// (config/github/build_deploy.yml). docs/retrain.md has the whole argument. The success
// carries the run's successor reference (store/references.hpp) in the same transaction.
#include "driftd/drift/effective_size.hpp"
#include "driftd/jobs/retrain_policy.hpp"
#include "driftd/util/metric_names.hpp"
#include "retrain_context.hpp"

namespace driftd::jobs::detail {

Status advance_dispatching(Context& ctx, const store::RetrainRun& run, util::UnixMs now) {
  const auto& gh = ctx.config.github;
  const std::string what = "repository_dispatch " + gh.event_type + " to " + gh.repository;
  auto change = change_of(run, now);
  if (run.dry_run) {
    ctx.count_not_sent(util::k_service_github);
    change.step("dispatching", what + ": not sent (dry run)");
    finish(change, store::RunState::succeeded, std::nullopt, "done (dry run)");
    return commit(ctx, change);
  }
  if (!ctx.github) {
    const std::string why =
        "no GitHub token: set the environment variable or credential " + gh.token_env;
    finish(change, store::RunState::failed, why, why);
    return commit(ctx, change);
  }

  auto calls = store::run_calls(ctx.store, run.id);
  if (!calls) return calls.error();
  bool lost = false;
  for (const auto& c : *calls) {
    if (c.kind == k_call_dispatch) lost = c.state == store::CallState::intent;
  }

  auto intent = change_of(run, now);
  if (lost) {
    intent.step("dispatching",
                "the outcome of the earlier dispatch was not recorded (the process stopped): "
                "sending it again; the workflow ignores a repeated event for job " +
                    (run.job_id ? std::to_string(*run.job_id) : std::string("?")));
  }
  auto call_id = commit_intent(ctx, k_call_dispatch, k_call_dispatch, intent);
  if (!call_id) return call_id.error();
  const auto payload = dispatch_payload(run, ctx.config.edge_impulse.project_id);
  auto sent = ctx.github->dispatch(gh.event_type, payload);
  if (!sent) {
    after_failure(ctx, run, change, sent.error(), what);
    return commit_outcome(ctx, k_call_dispatch, *call_id, failed_outcome(sent.error()), change);
  }
  change.step("dispatching",
              what + " sent (client_payload keys: " + std::to_string(payload.size()) + ")");
  finish(change, store::RunState::succeeded, std::nullopt, "done");
  // The successor reference commits with the success itself: a restart finds both or
  // neither (docs/drift.md, "References").
  change.successor_reference = drift::geometry_from(ctx.config.features);
  store::CallOutcome outcome;
  outcome.result = "204";
  return commit_outcome(ctx, k_call_dispatch, *call_id, outcome, change);
}

}  // namespace driftd::jobs::detail
