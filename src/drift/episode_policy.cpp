// The drift-episode state machine (rules in the header).

#include "driftd/drift/episode_policy.hpp"

#include <algorithm>

namespace driftd::drift {
namespace {

EpisodeEvent event(EpisodeEventKind kind, const EpisodeState& state, util::UnixMs at,
                   std::string reason) {
  return EpisodeEvent{kind, state.model_version, state.episodes, at, std::move(reason)};
}

bool judged(DriftStatus status) {
  return status == DriftStatus::ok || status == DriftStatus::warn || status == DriftStatus::alarm;
}

}  // namespace

EpisodeState initial_episode_state(std::string model_version) {
  EpisodeState state;
  state.model_version = std::move(model_version);
  return state;
}

std::string_view to_string(EpisodeEventKind kind) {
  switch (kind) {
    case EpisodeEventKind::episode_started:
      return "episode_started";
    case EpisodeEventKind::episode_ended:
      return "episode_ended";
    case EpisodeEventKind::retrain_called_for:
      return "retrain_called_for";
  }
  return "episode_started";
}

PolicyStep step(const EpisodeState& state, const PolicyObservation& observation, int consecutive) {
  PolicyStep result{state, {}};
  if (state.last_evaluated_at && observation.evaluated_at <= *state.last_evaluated_at) {
    return result;
  }
  EpisodeState& next = result.state;
  next.last_evaluated_at = observation.evaluated_at;
  if (state.superseded_by || !judged(observation.status)) return result;

  const util::UnixMs at = observation.evaluated_at;
  switch (observation.status) {
    case DriftStatus::alarm:
      ++next.alarm_streak;
      if (!next.in_episode && next.alarm_streak >= std::max(consecutive, 1)) {
        next.in_episode = true;
        ++next.episodes;
        next.episode_started_at = at;
        result.events.push_back(
            event(EpisodeEventKind::episode_started, next, at, "consecutive_alarms"));
        result.events.push_back(
            event(EpisodeEventKind::retrain_called_for, next, at, "consecutive_alarms"));
      } else if (next.in_episode) {
        result.events.push_back(event(EpisodeEventKind::retrain_called_for, next, at, "alarm"));
      }
      break;
    case DriftStatus::warn:
      next.alarm_streak = 0;
      break;
    default:  // ok
      next.alarm_streak = 0;
      if (next.in_episode) {
        result.events.push_back(event(EpisodeEventKind::episode_ended, next, at, "status_ok"));
        next.in_episode = false;
        next.episode_started_at.reset();
      }
      break;
  }
  return result;
}

PolicyStep supersede(const EpisodeState& state, std::string_view new_model_version,
                     util::UnixMs at) {
  PolicyStep result{state, {}};
  if (new_model_version == state.model_version || state.superseded_by) return result;
  EpisodeState& next = result.state;
  if (next.in_episode) {
    result.events.push_back(event(EpisodeEventKind::episode_ended, next, at, "new_model_version"));
  }
  next.in_episode = false;
  next.episode_started_at.reset();
  next.alarm_streak = 0;
  next.superseded_by = std::string(new_model_version);
  return result;
}

nlohmann::json to_json(const EpisodeState& state) {
  auto optional_ms = [](const std::optional<util::UnixMs>& t) {
    return t ? nlohmann::json(*t) : nlohmann::json(nullptr);
  };
  return {{"model_version", state.model_version},
          {"alarm_streak", state.alarm_streak},
          {"in_episode", state.in_episode},
          {"episodes", state.episodes},
          {"episode_started_at", optional_ms(state.episode_started_at)},
          {"last_evaluated_at", optional_ms(state.last_evaluated_at)},
          {"superseded_by",
           state.superseded_by ? nlohmann::json(*state.superseded_by) : nlohmann::json(nullptr)}};
}

Result<EpisodeState> episode_state_from_json(const nlohmann::json& json) {
  auto bad = [] { return make_error("bad_episode_state", "not a drift episode state"); };
  if (!json.is_object()) return bad();
  auto optional_ms = [&](const char* key, std::optional<util::UnixMs>& out) {
    const auto it = json.find(key);
    if (it == json.end() || it->is_null()) return true;
    if (!it->is_number_integer()) return false;
    out = it->get<util::UnixMs>();
    return true;
  };
  EpisodeState state;
  const auto version = json.find("model_version");
  const auto streak = json.find("alarm_streak");
  const auto in_episode = json.find("in_episode");
  const auto episodes = json.find("episodes");
  if (version == json.end() || !version->is_string() || streak == json.end() ||
      !streak->is_number_integer() || in_episode == json.end() || !in_episode->is_boolean() ||
      episodes == json.end() || !episodes->is_number_integer()) {
    return bad();
  }
  state.model_version = version->get<std::string>();
  state.alarm_streak = streak->get<int>();
  state.in_episode = in_episode->get<bool>();
  state.episodes = episodes->get<std::int64_t>();
  if (!optional_ms("episode_started_at", state.episode_started_at) ||
      !optional_ms("last_evaluated_at", state.last_evaluated_at)) {
    return bad();
  }
  if (const auto it = json.find("superseded_by"); it != json.end() && !it->is_null()) {
    if (!it->is_string()) return bad();
    state.superseded_by = it->get<std::string>();
  }
  if (state.alarm_streak < 0 || state.episodes < 0 || (state.in_episode && state.episodes == 0) ||
      state.in_episode != state.episode_started_at.has_value()) {
    return bad();
  }
  return state;
}

}  // namespace driftd::drift
