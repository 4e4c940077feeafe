// Episode policy steps, their persistence and the retrain trigger they call for.

#include "driftd/jobs/drift_episodes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "driftd/jobs/retrain_trigger.hpp"
#include "driftd/store/retrain_runs.hpp"

namespace driftd::jobs {

namespace {

using nlohmann::json;

Result<drift::EpisodeState> decode_state(const std::optional<store::EpisodeRecord>& stored,
                                         const std::string& model_version) {
  if (!stored) return drift::initial_episode_state(model_version);
  const json parsed = json::parse(stored->state, nullptr, false);
  auto state = drift::episode_state_from_json(parsed);
  if (!state) {
    return make_error("storage_error", "the drift episode state of model version " + model_version +
                                           " is corrupt: " + state.error().message);
  }
  return state;
}

// A small description of the drift for the run (sent with the dispatch).
json drift_summary(const drift::Evaluation& fleet, const drift::Attribution& attribution) {
  std::vector<const drift::FeatureScore*> features;
  for (const auto& f : fleet.features) {
    if (f.score.scores) features.push_back(&f);
  }
  std::sort(features.begin(), features.end(), [](const auto* a, const auto* b) {
    return a->score.scores->psi > b->score.scores->psi;
  });
  json top = json::array();
  for (std::size_t i = 0; i < features.size() && i < 3; ++i) {
    top.push_back({{"name", features[i]->name}, {"psi", features[i]->score.scores->psi}});
  }
  return {{"status", drift::to_string(fleet.status)},
          {"evaluated_at", util::format_rfc3339(fleet.evaluated_at)},
          {"scope", attribution.fleet_scope ? json(drift::to_string(*attribution.fleet_scope))
                                            : json(nullptr)},
          {"top_features", std::move(top)}};
}

// Whether the episode needs a trigger call now, given the run it already has.
Result<bool> needs_call(store::Store& store, const store::EpisodeRecord& record) {
  if (!record.run_id) return true;
  auto run = store::find_run(store, *record.run_id);
  if (!run) return run.error();
  if (!*run) return true;
  const store::RunState state = (*run)->state;
  return state == store::RunState::failed || state == store::RunState::rejected;
}

Status call_trigger(store::Store& store, const config::Config& config,
                    const util::DriftdMetrics& metrics, const drift::EpisodeEvent& event,
                    const drift::Evaluation& fleet, const drift::Attribution& attribution,
                    util::UnixMs now, EpisodeOutcome& outcome) {
  RetrainRequest request;
  request.model_version = fleet.model_version;
  request.trigger = store::RunTrigger::drift;
  request.reason = event.reason == "consecutive_alarms"
                       ? std::to_string(config.drift.consecutive) + " alarm evaluations in a row"
                       : "drift alarm continues";
  request.episode_id = episode_id(fleet.model_version, event.episode);
  request.drift_summary = drift_summary(fleet, attribution);
  auto triggered = request_retrain(store, config, request, now, metrics.retrain_runs);
  if (!triggered) return triggered.error();
  json note = {{"at", util::format_rfc3339(now)}, {"episode", *request.episode_id}};
  if (triggered->run) {
    outcome.record.run_id = triggered->run->id;
    outcome.run_created = triggered->run->id;
    note["run_id"] = triggered->run->id;
  } else if (triggered->blocked) {
    const Blocked& blocked = *triggered->blocked;
    note["blocked_by"] = std::string(to_string(blocked.by));
    note["until"] = blocked.until ? json(util::format_rfc3339(*blocked.until)) : json(nullptr);
    note["run_id"] = blocked.run_id ? json(*blocked.run_id) : json(nullptr);
    note["message"] = blocked.message;
    if (blocked.by == BlockReason::episode_retrained && blocked.run_id) {
      outcome.record.run_id = blocked.run_id;
    }
  }
  outcome.record.last_trigger = note.dump();
  return Ok{};
}

}  // namespace

std::string episode_id(const std::string& model_version, std::int64_t episode) {
  return model_version + "#" + std::to_string(episode);
}

Result<EpisodeOutcome> advance_episode(store::Store& store, const config::Config& config,
                                       const util::DriftdMetrics& metrics,
                                       const std::optional<store::EpisodeRecord>& stored,
                                       const drift::Evaluation& fleet,
                                       const drift::Attribution& attribution, util::UnixMs now) {
  auto state = decode_state(stored, fleet.model_version);
  if (!state) return state.error();
  const drift::PolicyStep step =
      drift::step(*state, {drift::policy_status(fleet, attribution), fleet.evaluated_at},
                  config.drift.consecutive);
  EpisodeOutcome outcome;
  if (stored) outcome.record = *stored;
  outcome.record.model_version = fleet.model_version;
  outcome.record.state = drift::to_json(step.state).dump();
  outcome.record.updated_at = now;
  outcome.events = step.events;
  for (const auto& event : step.events) {
    switch (event.kind) {
      case drift::EpisodeEventKind::episode_started:
        spdlog::warn("drift: episode {} of model version {} started ({})", event.episode,
                     event.model_version, event.reason);
        outcome.record.run_id.reset();
        outcome.record.last_trigger.reset();
        break;
      case drift::EpisodeEventKind::episode_ended:
        spdlog::info("drift: episode {} of model version {} ended ({})", event.episode,
                     event.model_version, event.reason);
        outcome.record.run_id.reset();
        outcome.record.last_trigger.reset();
        break;
      case drift::EpisodeEventKind::retrain_called_for: {
        if (!config.retrain.enabled) break;
        auto call = needs_call(store, outcome.record);
        if (!call) return call.error();
        if (!*call) break;
        if (Status called =
                call_trigger(store, config, metrics, event, fleet, attribution, now, outcome);
            !called) {
          return called.error();
        }
        break;
      }
    }
  }
  outcome.retrain = retrain_member(outcome.record);
  return outcome;
}

Result<std::optional<store::EpisodeRecord>> supersede_episode(const store::EpisodeRecord& record,
                                                              const std::string& newer,
                                                              util::UnixMs now) {
  auto state = decode_state(record, record.model_version);
  if (!state) return state.error();
  const drift::PolicyStep step = drift::supersede(*state, newer, now);
  if (step.state == *state) return std::optional<store::EpisodeRecord>{};
  store::EpisodeRecord next = record;
  next.state = drift::to_json(step.state).dump();
  next.updated_at = now;
  for (const auto& event : step.events) {
    if (event.kind == drift::EpisodeEventKind::episode_ended) {
      spdlog::info("drift: episode {} of model version {} ended: model version {} reported",
                   event.episode, event.model_version, newer);
      next.run_id.reset();
      next.last_trigger.reset();
    }
  }
  return std::optional<store::EpisodeRecord>(std::move(next));
}

std::optional<json> retrain_member(const store::EpisodeRecord& record) {
  if (!record.last_trigger) return std::nullopt;
  const json note = json::parse(*record.last_trigger, nullptr, false);
  if (!note.is_object() || !note.contains("blocked_by")) return std::nullopt;
  const std::string by = note.value("blocked_by", "");
  if (by != "cooldown" && by != "active_run") return std::nullopt;
  return json{{"blocked_by", by},
              {"until", note.value("until", json(nullptr))},
              {"run_id", note.value("run_id", json(nullptr))}};
}

}  // namespace driftd::jobs
