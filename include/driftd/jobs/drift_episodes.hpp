#pragma once
// The drift episode of each model version (SPEC §7) as the live engine runs it: the pure
// policy (drift/episode_policy.hpp) stepped with each fleet-wide evaluation, its state
// kept in the store, and the retrain trigger (retrain_trigger.hpp) called when the policy
// asks for a retrain.
//
// The trigger is called at most once per episode in the normal course: once a run exists
// for the episode no further call is made while that run is active or after it succeeded.
// A call refused (cooldown, active run of the version) is tried again at the episode's next
// alarm, and after the episode's run failed or was rejected a new call is made (the
// runner's guard lets one through once the cooldown has passed). The runner deduplicates
// by episode as well, so a restart between a trigger and saving the episode state starts
// nothing twice. A refused trigger shows in the evaluation as
// "retrain": {"blocked_by": "cooldown" | "active_run", "until", "run_id"}.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "driftd/config/config.hpp"
#include "driftd/drift/attribution.hpp"
#include "driftd/drift/episode_policy.hpp"
#include "driftd/drift/evaluation.hpp"
#include "driftd/store/drift_evaluations.hpp"
#include "driftd/store/store.hpp"
#include "driftd/util/metric_names.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::jobs {

// What one fleet-wide evaluation did to its model version's episode.
struct EpisodeOutcome {
  store::EpisodeRecord record;  // to store with the evaluation
  std::vector<drift::EpisodeEvent> events;
  std::optional<std::string> run_created;  // a retrain run started now
  std::optional<nlohmann::json> retrain;   // the evaluation's "retrain" member, if any
};

// The episode id a drift run carries: "<model_version>#<episode number>".
std::string episode_id(const std::string& model_version, std::int64_t episode);

// Steps the episode of `fleet.model_version` with `fleet` (counted at its policy status,
// drift::policy_status) and calls the retrain trigger as described above (only when
// retrain.enabled). `stored` is the version's record before. Errors: a stored state that
// does not decode, storage errors of the trigger.
Result<EpisodeOutcome> advance_episode(store::Store& store, const config::Config& config,
                                       const util::DriftdMetrics& metrics,
                                       const std::optional<store::EpisodeRecord>& stored,
                                       const drift::Evaluation& fleet,
                                       const drift::Attribution& attribution, util::UnixMs now);

// Retires `record`'s version because `newer` was reported (drift::supersede); nothing when
// that changes nothing.
Result<std::optional<store::EpisodeRecord>> supersede_episode(const store::EpisodeRecord& record,
                                                              const std::string& newer,
                                                              util::UnixMs now);

// The "retrain" member an evaluation shows for `record`: present while its episode lasts
// and its latest trigger was refused by the cooldown or an active run.
std::optional<nlohmann::json> retrain_member(const store::EpisodeRecord& record);

}  // namespace driftd::jobs
