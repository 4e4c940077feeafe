#pragma once
// The retrain decisions that need no I/O, as pure functions (STYLE rule 2): whether a
// trigger may start a run, how long to wait before retrying an outside call, which clips
// to upload and in which requests, whether the new model passes the quality gate, and
// what the GitHub dispatch carries. docs/retrain.md states the rules in prose.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "driftd/clients/edge_impulse_studio.hpp"
#include "driftd/config/config.hpp"
#include "driftd/store/clips.hpp"
#include "driftd/store/retrain_clips.hpp"
#include "driftd/store/retrain_runs.hpp"
#include "driftd/util/time.hpp"

namespace driftd::jobs {

// ---- Triggers and guards ------------------------------------------------------------------

// A request to retrain one model version: from the drift engine (trigger drift, with the
// episode it belongs to) or from an admin (trigger manual).
struct RetrainRequest {
  std::string model_version;
  store::RunTrigger trigger = store::RunTrigger::manual;
  std::string reason;
  // The drift episode (drift triggers): e.g. "<model_version>#<episode number>". Runs of one
  // episode are counted together (SPEC §7).
  std::optional<std::string> episode_id;
  bool force = false;  // ignore the cooldown (never an active run)
  // A small JSON object describing the drift (e.g. {"status":"alarm","top_features":[...]}),
  // sent as client_payload.drift with the dispatch. Nothing for manual runs.
  std::optional<nlohmann::json> drift_summary;
};

enum class BlockReason {
  disabled,           // retrain.enabled is false
  active_run,         // the model version has a run in progress
  cooldown,           // the last run of the model version ended less than `cooldown` ago
  episode_retrained,  // this drift episode already has a succeeded run
};

// "disabled", "active_run", "cooldown", "episode_retrained".
std::string_view to_string(BlockReason reason);

// Why a trigger was refused.
struct Blocked {
  BlockReason by = BlockReason::cooldown;
  std::optional<util::UnixMs> until;  // cooldown: when a trigger would pass; else nothing
  std::optional<std::string> run_id;  // the run that blocks (active, latest or succeeded)
  std::string message;                // human sentence
};

// The guard, in this order: disabled; an active run of the model version; an episode that
// already has a succeeded run; the cooldown since the end of the model version's latest run
// (skipped with `force`). Nothing means the run may be created.
std::optional<Blocked> check_trigger(const store::RunFacts& facts, const RetrainRequest& request,
                                     const config::Retrain& retrain, util::UnixMs now);

// ---- Retries --------------------------------------------------------------------------------

inline constexpr std::chrono::milliseconds k_backoff_base = std::chrono::seconds(1);
inline constexpr std::chrono::milliseconds k_backoff_cap = std::chrono::minutes(5);

// The wait before retry number `attempt` (1 for the first retry): "full jitter",
// `unit` × min(cap, base × 2^(attempt-1)) with `unit` uniform in [0, 1), but never less
// than what the remote asked for (`requested`: Retry-After or x-ratelimit-reset).
std::chrono::milliseconds retry_delay(int attempt,
                                      std::optional<std::chrono::milliseconds> requested,
                                      double unit);

// ---- Clips to upload ----------------------------------------------------------------------

// Requests are kept small enough to retry cheaply (the service takes up to 1000 files).
inline constexpr std::size_t k_max_batch_files = 50;
inline constexpr std::int64_t k_max_batch_bytes = 64LL * 1024 * 1024;

// The x-label a clip is uploaded with under `retrain` (label_policy, min_label_confidence):
// its predicted label when the policy is "predicted" and its confidence (when given) is at
// least min_label_confidence; otherwise nothing (uploaded with x-no-label: 1).
std::optional<std::string> upload_label(const store::ClipRecord& clip,
                                        const config::Retrain& retrain);

// Chooses up to retrain.max_upload_clips of `candidates` (WAV clips only), spread over
// devices and labels: the clips are grouped by (device, predicted label) and taken round-
// robin over the groups, newest first within a group. `moved_most` is the hook for drift
// scores per clip (higher first within its group; clips without a score after the scored
// ones, newest first); empty for recency alone. The result is grouped into upload batches:
// one per (device, upload label), split at k_max_batch_files / k_max_batch_bytes.
std::vector<store::RunClip> plan_upload(const std::vector<store::ClipRecord>& candidates,
                                        const config::Retrain& retrain,
                                        const std::map<std::string, double>& moved_most = {});

// ---- Quality gate ---------------------------------------------------------------------------

struct GateVerdict {
  enum class Kind { passed, below_threshold, no_test_data } kind = Kind::no_test_data;
  std::optional<double> accuracy;           // good / (good + bad)
  std::map<std::string, double> per_class;  // labels with at least one judged sample
  std::string detail;                       // human sentence with the figures
};

// Judges the test-set classification against `min_test_accuracy` (> 0).
GateVerdict judge_test_set(const clients::ClassifyResult& result, double min_test_accuracy);

// ---- Dispatch ---------------------------------------------------------------------------------

// The client_payload of the repository_dispatch (at most 10 keys): project_id, job_id,
// run_id, model_version, trigger, test_accuracy (only when the gate ran), and drift (the
// run's drift summary, when it has one).
nlohmann::json dispatch_payload(const store::RetrainRun& run, std::int64_t project_id);

}  // namespace driftd::jobs
