#pragma once
// The sustained-alarm policy of one model version (SPEC §7, "drift episode"), as a pure
// state machine: step(state, observation) → new state + events. The daemon persists the
// state (to_json / episode_state_from_json) and acts on the events.
//
// - Only judged evaluations count: insufficient_data and no_reference change nothing (they
//   neither extend nor break a streak, nor end an episode).
// - An episode starts with the evaluation that completes `consecutive` alarms in a row.
// - While it lasts, every alarm evaluation calls for a retrain (`retrain_called_for`, with
//   the episode number); the retrain runner starts at most one run per episode, or a new
//   one after a failed or rejected run once the cooldown has passed. warn keeps the
//   episode going (and resets the streak).
// - It ends when the status is back to ok, or when a newer model version is reported
//   (supersede()); a superseded version never starts another episode.
// - Idempotent: an observation not later than the last one counted is ignored, so
//   replaying evaluations after a restart changes nothing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "driftd/drift/status.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::drift {

struct EpisodeState {
  std::string model_version;
  int alarm_streak = 0;  // judged alarm evaluations in a row
  bool in_episode = false;
  std::int64_t episodes = 0;  // episodes started so far; the current one's number when in one
  std::optional<util::UnixMs> episode_started_at;  // when in an episode
  std::optional<util::UnixMs> last_evaluated_at;   // the latest observation taken
  std::optional<std::string> superseded_by;        // a newer version was reported

  friend bool operator==(const EpisodeState&, const EpisodeState&) = default;
};

// The fresh state of a model version.
EpisodeState initial_episode_state(std::string model_version);

enum class EpisodeEventKind { episode_started, episode_ended, retrain_called_for };

// "episode_started", "episode_ended", "retrain_called_for".
std::string_view to_string(EpisodeEventKind kind);

struct EpisodeEvent {
  EpisodeEventKind kind = EpisodeEventKind::episode_started;
  std::string model_version;
  std::int64_t episode = 0;  // the episode's number (1, 2, …) for this model version
  util::UnixMs at = 0;       // the evaluation (or report) time that caused it
  std::string reason;        // "consecutive_alarms", "alarm", "status_ok", "new_model_version"

  friend bool operator==(const EpisodeEvent&, const EpisodeEvent&) = default;
};

// One evaluation's outcome as the policy sees it.
struct PolicyObservation {
  DriftStatus status = DriftStatus::ok;
  util::UnixMs evaluated_at = 0;
};

struct PolicyStep {
  EpisodeState state;
  std::vector<EpisodeEvent> events;  // in the order they happened
};

// Takes one evaluation into account (rules above). consecutive < 1 counts as 1.
PolicyStep step(const EpisodeState& state, const PolicyObservation& observation, int consecutive);

// A newer model version was reported at `at`: ends the episode (if any) and retires this
// version. Reporting the same version, or superseding twice, changes nothing.
PolicyStep supersede(const EpisodeState& state, std::string_view new_model_version,
                     util::UnixMs at);

// The state as JSON (times as Unix ms, absent ones null) and back. The reader refuses
// ("bad_episode_state") anything to_json() cannot produce.
nlohmann::json to_json(const EpisodeState& state);
Result<EpisodeState> episode_state_from_json(const nlohmann::json& json);

}  // namespace driftd::drift
