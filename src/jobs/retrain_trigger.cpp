#include "driftd/jobs/retrain_trigger.hpp"

#include <spdlog/spdlog.h>

#include "driftd/store/errors.hpp"
#include "driftd/store/ids.hpp"
#include "driftd/util/secrets.hpp"

namespace driftd::jobs {

namespace {

constexpr int k_id_attempts = 4;  // a random run id that collides is drawn again

std::string first_step(const RetrainRequest& r, bool dry_run) {
  std::string text =
      r.trigger == store::RunTrigger::drift
          ? "drift trigger" + (r.episode_id ? " (episode " + *r.episode_id + ")" : std::string())
          : std::string("manual trigger");
  if (!r.reason.empty()) text += ": " + r.reason;
  if (r.force) text += " (cooldown ignored: force)";
  if (dry_run) text += "; dry run: nothing will be sent outside";
  return text;
}

std::optional<std::string> summary_text(const RetrainRequest& r) {
  if (!r.drift_summary || !r.drift_summary->is_object()) return std::nullopt;
  std::string text = r.drift_summary->dump();
  if (text.size() > k_max_drift_summary_bytes) {
    spdlog::warn("retrain: the drift summary for model version {} is {} bytes, over {}: dropped",
                 r.model_version, text.size(), k_max_drift_summary_bytes);
    return std::nullopt;
  }
  return text;
}

void log_refusal(const RetrainRequest& r, const Blocked& b) {
  spdlog::info("retrain of model version {} ({} trigger) not started: blocked by {}: {}",
               r.model_version, store::to_string(r.trigger), to_string(b.by), b.message);
}

}  // namespace

Result<TriggerOutcome> request_retrain(store::Store& store, const config::Config& config,
                                       const RetrainRequest& request, util::UnixMs now,
                                       const util::CounterFamily& runs_total) {
  if (!store::is_valid_model_version(request.model_version)) {
    return make_error(store::k_error_invalid,
                      "model_version must be 1-64 characters [A-Za-z0-9._:-]", "model_version");
  }
  const bool dry_run = config.retrain.dry_run;
  const std::optional<std::string> summary = summary_text(request);
  for (int attempt = 0; attempt < k_id_attempts; ++attempt) {
    std::optional<Blocked> blocked;
    const std::string id = "r-" + util::random_hex(4);
    auto created = store::create_run_if(
        store, request.model_version, request.episode_id,
        [&](const store::RunFacts& facts) -> std::optional<store::NewRun> {
          blocked = check_trigger(facts, request, config.retrain, now);
          if (blocked) return std::nullopt;
          return store::NewRun{id,
                               request.trigger,
                               dry_run,
                               request.model_version,
                               request.reason,
                               request.episode_id,
                               summary,
                               first_step(request, dry_run)};
        },
        now);
    if (created && created->has_value()) {
      runs_total.labels({"pending"}).inc();
      const auto& run = **created;
      spdlog::info("retrain run {} created for model version {} ({} trigger{})", run.id,
                   run.model_version, store::to_string(run.trigger), dry_run ? ", dry run" : "");
      return TriggerOutcome{*created, std::nullopt};
    }
    if (created && blocked) {
      log_refusal(request, *blocked);
      return TriggerOutcome{std::nullopt, blocked};
    }
    if (!created && created.error().code != store::k_error_conflict) return created.error();
    // A conflict: the id was taken, or another trigger created the active run meanwhile.
    auto facts = store::read_run_facts(store, request.model_version, request.episode_id);
    if (!facts) return facts.error();
    if (auto now_blocked = check_trigger(*facts, request, config.retrain, now)) {
      log_refusal(request, *now_blocked);
      return TriggerOutcome{std::nullopt, now_blocked};
    }
  }
  return make_error(store::k_error_internal, "could not draw a free retrain run id");
}

Result<std::optional<Blocked>> retrain_block(store::Store& store, const config::Config& config,
                                             const RetrainRequest& request, util::UnixMs now) {
  auto facts = store::read_run_facts(store, request.model_version, request.episode_id);
  if (!facts) return facts.error();
  return check_trigger(*facts, request, config.retrain, now);
}

}  // namespace driftd::jobs
