#pragma once
// Retrain runs as the store keeps them (migration 0004): the run itself, its step log, and
// the ledger of the outside calls it makes. The retrain runner (jobs/retrain_runner.hpp)
// decides; these functions only read and write, each change in one transaction.
//
// The ledger follows STYLE rule 8: before a call that changes something outside (an upload,
// starting a job, a dispatch) an `intent` row is committed; right after the answer the row
// becomes `done` or `failed` in the same transaction as the run change the answer causes.
// A restart therefore finds, for every call, either nothing (never sent), an intent without
// outcome (maybe sent), or its outcome. docs/retrain.md has the argument.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/drift/effective_size.hpp"
#include "driftd/store/connection.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;

enum class RunState {
  pending,
  uploading,
  training,
  testing,
  dispatching,
  succeeded,
  rejected,
  failed
};

// "pending", ..., "failed" (SPEC §4).
std::string_view to_string(RunState state);
std::optional<RunState> parse_run_state(std::string_view text);
// succeeded, rejected and failed: the run is over.
bool is_terminal(RunState state);

enum class RunTrigger { drift, manual };
std::string_view to_string(RunTrigger trigger);

struct RetrainRun {
  std::string id;
  RunState state = RunState::pending;
  RunTrigger trigger = RunTrigger::manual;
  bool dry_run = false;
  std::string model_version;
  std::string reason;
  std::optional<std::string> episode_id;     // drift runs: the episode that caused them
  std::optional<std::string> drift_summary;  // JSON object text, sent with the dispatch
  util::UnixMs created = 0;
  util::UnixMs updated = 0;
  std::int64_t clips_uploaded = 0;
  std::optional<std::int64_t> job_id;
  std::optional<std::int64_t> test_job_id;
  std::optional<double> test_accuracy;
  std::optional<std::map<std::string, double>> test_per_class;
  std::optional<std::string> error;
  std::string substep;  // the runner's position inside `state`
  std::optional<util::UnixMs> phase_started_at;
  util::UnixMs next_attempt_at = 0;
  int attempts = 0;  // transient failures in a row of the current call
  std::optional<util::UnixMs> retrying_since;
};

struct RunStep {
  util::UnixMs at = 0;
  std::string step;  // the state the run was in (or entered) when it decided
  std::string detail;
};

enum class CallState { intent, done, failed };
std::string_view to_string(CallState state);

// One row of the outside-call ledger.
struct OutsideCall {
  std::int64_t id = 0;
  std::string run_id;
  std::string kind;  // "upload:<batch>", "retrain", "classify", "dispatch"
  CallState state = CallState::intent;
  util::UnixMs intent_at = 0;
  std::optional<util::UnixMs> outcome_at;
  std::optional<std::string> remote_id;
  std::optional<std::string> result;
  std::optional<std::string> error_kind;
};

// What became of one clip chosen for upload: "stored", "duplicate" (the project already held
// it), "rejected", "missing" (its file was gone) or "not_sent" (dry run).
struct ClipOutcome {
  std::string clip_id;
  std::string outcome;
  std::string detail;
};

// A change to one run, applied in one transaction. Unset members are left as they are;
// `Nullable` members can also be set to NULL.
template <typename T>
using Nullable = std::optional<std::optional<T>>;

struct RunChange {
  std::string run_id;
  util::UnixMs at = 0;  // becomes `updated`, and the time of the steps
  std::optional<RunState> state;
  std::optional<std::string> substep;
  std::optional<std::int64_t> job_id;
  std::optional<std::int64_t> test_job_id;
  std::optional<double> test_accuracy;
  std::optional<std::map<std::string, double>> test_per_class;
  Nullable<std::string> error;
  std::int64_t add_clips_uploaded = 0;
  Nullable<util::UnixMs> phase_started_at;
  std::optional<util::UnixMs> next_attempt_at;
  std::optional<int> attempts;
  Nullable<util::UnixMs> retrying_since;
  std::vector<RunStep> steps;              // appended; `at` 0 means the change's time
  std::vector<ClipOutcome> clip_outcomes;  // recorded on the run's chosen clips
  // With state succeeded: derive and save the run's successor reference in the same
  // transaction, binning the uploaded clips' windows with this geometry
  // (store/references.hpp, save_successor_reference(); its sentence becomes a step).
  std::optional<drift::WindowGeometry> successor_reference;

  // Appends a step at the change's time.
  RunChange& step(std::string name, std::string detail);
};

// What the trigger policy needs to know about earlier runs of one model version.
struct RunBrief {
  std::string id;
  RunState state = RunState::pending;
  util::UnixMs created = 0;
  util::UnixMs updated = 0;
  std::optional<std::string> episode_id;
};
struct RunFacts {
  std::optional<RunBrief> active;  // the model version's active run, if any
  std::optional<RunBrief> latest;  // its most recently created run, if any
  std::vector<RunBrief> episode;   // the runs of the request's episode, oldest first
};

// A run to create (state pending).
struct NewRun {
  std::string id;
  RunTrigger trigger = RunTrigger::manual;
  bool dry_run = false;
  std::string model_version;
  std::string reason;
  std::optional<std::string> episode_id;
  std::optional<std::string> drift_summary;
  std::string first_step;  // detail of the "pending" step
};

// In one write transaction: gathers the facts about `model_version` (and `episode_id`),
// asks `decide` whether to create a run, and creates it when `decide` returns one. Returns
// the new run, or nothing when `decide` refused. `decide` runs on the writer's thread: it
// must be a pure function of its argument. A second active run for the model version is
// refused by the database itself (conflict).
Result<std::optional<RetrainRun>> create_run_if(
    Store& store, const std::string& model_version, const std::optional<std::string>& episode_id,
    const std::function<std::optional<NewRun>(const RunFacts&)>& decide, util::UnixMs now);

// The same facts, read outside any write (for showing why a trigger would be refused).
Result<RunFacts> read_run_facts(Store& store, const std::string& model_version,
                                const std::optional<std::string>& episode_id);

// One run, or nothing for an unknown id.
Result<std::optional<RetrainRun>> find_run(Store& store, const std::string& id);
// Runs newest first (by creation), at most `limit`.
Result<std::vector<RetrainRun>> list_runs(Store& store, std::int64_t limit = 200);
// Every run not yet over, oldest first.
Result<std::vector<RetrainRun>> list_active_runs(Store& store);
// The step log of a run, oldest first.
Result<std::vector<RunStep>> run_steps(Store& store, const std::string& run_id);
// Whether some run already has `job_id` as its retrain or classify job.
Result<bool> is_known_job(Store& store, std::int64_t job_id);
// The ledger rows of a run, in the order they were written.
Result<std::vector<OutsideCall>> run_calls(Store& store, const std::string& run_id);

// Applies `change`. A change that makes the run terminal also releases the clips it pinned.
// not_found for an unknown run.
Status apply_run_change(Store& store, const RunChange& change);
// The same inside a write job (store-internal: other store functions compose it).
Status apply_run_change(WriteTxn& txn, const RunChange& change);

// Commits the intent to make call `kind` for the run, together with `change`; returns the
// ledger row id. Call it before sending. An earlier intent of the same run and kind still
// without outcome is closed in the same transaction (failed, error_kind "lost").
Result<std::int64_t> record_call_intent(Store& store, const std::string& kind,
                                        const RunChange& change);

// The answer to a call whose intent is `call_id`.
struct CallOutcome {
  CallState state = CallState::done;  // done or failed
  std::optional<std::string> remote_id;
  std::string result;
  std::optional<std::string> error_kind;
};

// Completes ledger row `call_id` with `outcome`, together with `change`, in one transaction.
Status record_call_outcome(Store& store, std::int64_t call_id, const CallOutcome& outcome,
                           const RunChange& change);

}  // namespace driftd::store
