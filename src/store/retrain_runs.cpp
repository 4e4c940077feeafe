#include "driftd/store/retrain_runs.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <array>
#include <nlohmann/json.hpp>
#include <utility>

#include "driftd/store/references.hpp"
#include "driftd/store/retrain_clips.hpp"
#include "driftd/store/store.hpp"

namespace driftd::store {

namespace {

constexpr std::array<std::string_view, 8> k_state_names = {"pending",  "uploading",   "training",
                                                           "testing",  "dispatching", "succeeded",
                                                           "rejected", "failed"};

constexpr const char* k_run_columns =
    "id, state, trigger, dry_run, model_version, reason, episode_id, drift_summary, created, "
    "updated, clips_uploaded, job_id, test_job_id, test_accuracy, test_per_class, error, substep, "
    "phase_started_at, next_attempt_at, attempts, retrying_since";

template <typename T>
std::optional<T> optional_column(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  if constexpr (std::is_same_v<T, std::string>) {
    return column.getString();
  } else if constexpr (std::is_same_v<T, double>) {
    return column.getDouble();
  } else {
    return static_cast<T>(column.getInt64());
  }
}

std::string per_class_json(const std::map<std::string, double>& per_class) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [label, fraction] : per_class) object[label] = fraction;
  return object.dump();
}

std::map<std::string, double> per_class_from_json(const std::string& text) {
  std::map<std::string, double> out;
  const auto object = nlohmann::json::parse(text, nullptr, false);
  if (!object.is_object()) return out;
  for (const auto& [label, value] : object.items()) {
    if (value.is_number()) out[label] = value.get<double>();
  }
  return out;
}

RetrainRun run_from_row(SQLite::Statement& row) {
  RetrainRun r;
  r.id = row.getColumn(0).getString();
  r.state = parse_run_state(row.getColumn(1).getString()).value_or(RunState::failed);
  r.trigger = row.getColumn(2).getString() == "drift" ? RunTrigger::drift : RunTrigger::manual;
  r.dry_run = row.getColumn(3).getInt() != 0;
  r.model_version = row.getColumn(4).getString();
  r.reason = row.getColumn(5).getString();
  r.episode_id = optional_column<std::string>(row.getColumn(6));
  r.drift_summary = optional_column<std::string>(row.getColumn(7));
  r.created = row.getColumn(8).getInt64();
  r.updated = row.getColumn(9).getInt64();
  r.clips_uploaded = row.getColumn(10).getInt64();
  r.job_id = optional_column<std::int64_t>(row.getColumn(11));
  r.test_job_id = optional_column<std::int64_t>(row.getColumn(12));
  r.test_accuracy = optional_column<double>(row.getColumn(13));
  if (auto text = optional_column<std::string>(row.getColumn(14))) {
    r.test_per_class = per_class_from_json(*text);
  }
  r.error = optional_column<std::string>(row.getColumn(15));
  r.substep = row.getColumn(16).getString();
  r.phase_started_at = optional_column<util::UnixMs>(row.getColumn(17));
  r.next_attempt_at = row.getColumn(18).getInt64();
  r.attempts = row.getColumn(19).getInt();
  r.retrying_since = optional_column<util::UnixMs>(row.getColumn(20));
  return r;
}

RunBrief brief_from_row(SQLite::Statement& row) {
  RunBrief b;
  b.id = row.getColumn(0).getString();
  b.state = parse_run_state(row.getColumn(1).getString()).value_or(RunState::failed);
  b.created = row.getColumn(2).getInt64();
  b.updated = row.getColumn(3).getInt64();
  b.episode_id = optional_column<std::string>(row.getColumn(4));
  return b;
}

// Binds an optional value, or NULL.
template <typename T>
void bind_optional(SQLite::Statement& s, int index, const std::optional<T>& value) {
  if (value) {
    s.bind(index, *value);
  } else {
    s.bind(index);
  }
}

// Binds the "set it?" flag and the value of a Nullable column.
template <typename T>
void bind_nullable(SQLite::Statement& s, int flag_index, const Nullable<T>& value) {
  s.bind(flag_index, value.has_value() ? 1 : 0);
  if (value && *value) {
    s.bind(flag_index + 1, **value);
  } else {
    s.bind(flag_index + 1);
  }
}

RunFacts gather_facts(Connection& c, const std::string& model_version,
                      const std::optional<std::string>& episode_id) {
  RunFacts facts;
  SQLite::Statement& latest = c.prepare(
      "SELECT id, state, created, updated, episode_id FROM retrain_runs "
      "WHERE model_version = ? ORDER BY created DESC, rowid DESC LIMIT 1");
  latest.bind(1, model_version);
  if (latest.executeStep()) facts.latest = brief_from_row(latest);
  SQLite::Statement& active = c.prepare(
      "SELECT id, state, created, updated, episode_id FROM retrain_runs WHERE model_version = ? "
      "AND state NOT IN ('succeeded', 'rejected', 'failed') LIMIT 1");
  active.bind(1, model_version);
  if (active.executeStep()) facts.active = brief_from_row(active);
  if (episode_id) {
    SQLite::Statement& episode = c.prepare(
        "SELECT id, state, created, updated, episode_id FROM retrain_runs "
        "WHERE episode_id = ? AND model_version = ? ORDER BY created, rowid");
    episode.bind(1, *episode_id);
    episode.bind(2, model_version);
    while (episode.executeStep()) facts.episode.push_back(brief_from_row(episode));
  }
  return facts;
}

void insert_steps(WriteTxn& txn, const std::string& run_id, util::UnixMs at,
                  const std::vector<RunStep>& steps) {
  SQLite::Statement& insert =
      txn.prepare("INSERT INTO retrain_steps (run_id, at, step, detail) VALUES (?, ?, ?, ?)");
  for (const RunStep& s : steps) {
    insert.reset();
    insert.bind(1, run_id);
    insert.bind(2, static_cast<std::int64_t>(s.at != 0 ? s.at : at));
    insert.bind(3, s.step);
    insert.bind(4, s.detail);
    insert.exec();
  }
}

}  // namespace

Status apply_run_change(WriteTxn& txn, const RunChange& c) {
  SQLite::Statement& update = txn.prepare(
      "UPDATE retrain_runs SET updated = ?1, state = COALESCE(?2, state), "
      "substep = COALESCE(?3, substep), job_id = COALESCE(?4, job_id), "
      "test_job_id = COALESCE(?5, test_job_id), test_accuracy = COALESCE(?6, test_accuracy), "
      "test_per_class = COALESCE(?7, test_per_class), "
      "error = CASE WHEN ?8 THEN ?9 ELSE error END, clips_uploaded = clips_uploaded + ?10, "
      "phase_started_at = CASE WHEN ?11 THEN ?12 ELSE phase_started_at END, "
      "next_attempt_at = COALESCE(?13, next_attempt_at), attempts = COALESCE(?14, attempts), "
      "retrying_since = CASE WHEN ?15 THEN ?16 ELSE retrying_since END WHERE id = ?17");
  update.bind(1, static_cast<std::int64_t>(c.at));
  if (c.state) {
    update.bind(2, std::string(to_string(*c.state)));
  } else {
    update.bind(2);
  }
  bind_optional(update, 3, c.substep);
  bind_optional(update, 4, c.job_id);
  bind_optional(update, 5, c.test_job_id);
  bind_optional(update, 6, c.test_accuracy);
  if (c.test_per_class) {
    update.bind(7, per_class_json(*c.test_per_class));
  } else {
    update.bind(7);
  }
  bind_nullable(update, 8, c.error);
  update.bind(10, static_cast<std::int64_t>(c.add_clips_uploaded));
  bind_nullable(update, 11, c.phase_started_at);
  bind_optional(update, 13, c.next_attempt_at);
  bind_optional(update, 14, c.attempts);
  bind_nullable(update, 15, c.retrying_since);
  update.bind(17, c.run_id);
  update.exec();
  if (txn.changes() == 0) return make_error(k_error_not_found, "no retrain run " + c.run_id);
  insert_steps(txn, c.run_id, c.at, c.steps);
  if (!c.clip_outcomes.empty()) set_clip_outcomes(txn, c.run_id, c.clip_outcomes);
  if (c.state == RunState::succeeded && c.successor_reference) {
    const SuccessorOutcome successor =
        save_successor_reference(txn, c.run_id, *c.successor_reference, c.at);
    if (!successor.detail.empty()) {
      insert_steps(txn, c.run_id, c.at, {RunStep{0, "succeeded", successor.detail}});
    }
  }
  if (c.state && is_terminal(*c.state)) release_run_clips(txn, c.run_id);
  return Ok{};
}

std::string_view to_string(RunState state) {
  return k_state_names[static_cast<std::size_t>(state)];
}

std::optional<RunState> parse_run_state(std::string_view text) {
  for (std::size_t i = 0; i < k_state_names.size(); ++i) {
    if (k_state_names[i] == text) return static_cast<RunState>(i);
  }
  return std::nullopt;
}

bool is_terminal(RunState state) {
  return state == RunState::succeeded || state == RunState::rejected || state == RunState::failed;
}

std::string_view to_string(RunTrigger trigger) {
  return trigger == RunTrigger::drift ? "drift" : "manual";
}

std::string_view to_string(CallState state) {
  switch (state) {
    case CallState::intent:
      return "intent";
    case CallState::done:
      return "done";
    case CallState::failed:
      return "failed";
  }
  return "failed";
}

RunChange& RunChange::step(std::string name, std::string detail) {
  steps.push_back(RunStep{0, std::move(name), std::move(detail)});
  return *this;
}

Result<std::optional<RetrainRun>> create_run_if(
    Store& store, const std::string& model_version, const std::optional<std::string>& episode_id,
    const std::function<std::optional<NewRun>(const RunFacts&)>& decide, util::UnixMs now) {
  return store.writer().run([&](WriteTxn& txn) -> Result<std::optional<RetrainRun>> {
    const auto wanted = decide(gather_facts(txn.connection(), model_version, episode_id));
    if (!wanted) return std::optional<RetrainRun>();
    const NewRun& n = *wanted;
    SQLite::Statement& insert = txn.prepare(
        "INSERT INTO retrain_runs (id, state, trigger, dry_run, model_version, reason, episode_id, "
        "drift_summary, created, updated, next_attempt_at) "
        "VALUES (?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, n.id);
    insert.bind(2, std::string(to_string(n.trigger)));
    insert.bind(3, n.dry_run ? 1 : 0);
    insert.bind(4, n.model_version);
    insert.bind(5, n.reason);
    bind_optional(insert, 6, n.episode_id);
    bind_optional(insert, 7, n.drift_summary);
    insert.bind(8, static_cast<std::int64_t>(now));
    insert.bind(9, static_cast<std::int64_t>(now));
    insert.bind(10, static_cast<std::int64_t>(now));
    insert.exec();
    insert_steps(txn, n.id, now, {RunStep{now, "pending", n.first_step}});
    RetrainRun run;
    run.id = n.id;
    run.trigger = n.trigger;
    run.dry_run = n.dry_run;
    run.model_version = n.model_version;
    run.reason = n.reason;
    run.episode_id = n.episode_id;
    run.drift_summary = n.drift_summary;
    run.created = run.updated = run.next_attempt_at = now;
    return std::optional<RetrainRun>(std::move(run));
  });
}

Result<RunFacts> read_run_facts(Store& store, const std::string& model_version,
                                const std::optional<std::string>& episode_id) {
  return store.read([&](Connection& c) -> Result<RunFacts> {
    return gather_facts(c, model_version, episode_id);
  });
}

Result<std::optional<RetrainRun>> find_run(Store& store, const std::string& id) {
  return store.read([&](Connection& c) -> Result<std::optional<RetrainRun>> {
    SQLite::Statement& query =
        c.prepare(std::string("SELECT ") + k_run_columns + " FROM retrain_runs WHERE id = ?");
    query.bind(1, id);
    if (!query.executeStep()) return std::optional<RetrainRun>();
    return std::optional<RetrainRun>(run_from_row(query));
  });
}

Result<std::vector<RetrainRun>> list_runs(Store& store, std::int64_t limit) {
  return store.read([&](Connection& c) -> Result<std::vector<RetrainRun>> {
    SQLite::Statement& query = c.prepare(std::string("SELECT ") + k_run_columns +
                                         " FROM retrain_runs ORDER BY created DESC, rowid DESC "
                                         "LIMIT ?");
    query.bind(1, static_cast<std::int64_t>(limit));
    std::vector<RetrainRun> runs;
    while (query.executeStep()) runs.push_back(run_from_row(query));
    return runs;
  });
}

Result<std::vector<RetrainRun>> list_active_runs(Store& store) {
  return store.read([&](Connection& c) -> Result<std::vector<RetrainRun>> {
    SQLite::Statement& query =
        c.prepare(std::string("SELECT ") + k_run_columns +
                  " FROM retrain_runs WHERE state NOT IN ('succeeded', 'rejected', 'failed') "
                  "ORDER BY created, rowid");
    std::vector<RetrainRun> runs;
    while (query.executeStep()) runs.push_back(run_from_row(query));
    return runs;
  });
}

Result<std::vector<RunStep>> run_steps(Store& store, const std::string& run_id) {
  return store.read([&](Connection& c) -> Result<std::vector<RunStep>> {
    SQLite::Statement& query =
        c.prepare("SELECT at, step, detail FROM retrain_steps WHERE run_id = ? ORDER BY id");
    query.bind(1, run_id);
    std::vector<RunStep> steps;
    while (query.executeStep()) {
      steps.push_back(RunStep{query.getColumn(0).getInt64(), query.getColumn(1).getString(),
                              query.getColumn(2).getString()});
    }
    return steps;
  });
}

Result<bool> is_known_job(Store& store, std::int64_t job_id) {
  return store.read([&](Connection& c) -> Result<bool> {
    SQLite::Statement& query =
        c.prepare("SELECT 1 FROM retrain_runs WHERE job_id = ?1 OR test_job_id = ?1 LIMIT 1");
    query.bind(1, job_id);
    return query.executeStep();
  });
}

Result<std::vector<OutsideCall>> run_calls(Store& store, const std::string& run_id) {
  return store.read([&](Connection& c) -> Result<std::vector<OutsideCall>> {
    SQLite::Statement& query = c.prepare(
        "SELECT id, run_id, kind, state, intent_at, outcome_at, remote_id, result, error_kind "
        "FROM retrain_calls WHERE run_id = ? ORDER BY id");
    query.bind(1, run_id);
    std::vector<OutsideCall> calls;
    while (query.executeStep()) {
      OutsideCall call;
      call.id = query.getColumn(0).getInt64();
      call.run_id = query.getColumn(1).getString();
      call.kind = query.getColumn(2).getString();
      const std::string state = query.getColumn(3).getString();
      call.state = state == "intent" ? CallState::intent
                   : state == "done" ? CallState::done
                                     : CallState::failed;
      call.intent_at = query.getColumn(4).getInt64();
      call.outcome_at = optional_column<util::UnixMs>(query.getColumn(5));
      call.remote_id = optional_column<std::string>(query.getColumn(6));
      call.result = optional_column<std::string>(query.getColumn(7));
      call.error_kind = optional_column<std::string>(query.getColumn(8));
      calls.push_back(std::move(call));
    }
    return calls;
  });
}

Status apply_run_change(Store& store, const RunChange& change) {
  return store.writer().run([&](WriteTxn& txn) -> Status { return apply_run_change(txn, change); });
}

Result<std::int64_t> record_call_intent(Store& store, const std::string& kind,
                                        const RunChange& change) {
  return store.writer().run([&](WriteTxn& txn) -> Result<std::int64_t> {
    if (Status applied = apply_run_change(txn, change); !applied) return applied.error();
    // An earlier intent of the same call that never got its outcome is closed as lost.
    SQLite::Statement& close = txn.prepare(
        "UPDATE retrain_calls SET state = 'failed', outcome_at = ?, error_kind = 'lost', "
        "result = 'no outcome was recorded (the process stopped before it); sent again' "
        "WHERE run_id = ? AND kind = ? AND state = 'intent'");
    close.bind(1, static_cast<std::int64_t>(change.at));
    close.bind(2, change.run_id);
    close.bind(3, kind);
    close.exec();
    SQLite::Statement& insert = txn.prepare(
        "INSERT INTO retrain_calls (run_id, kind, state, intent_at) VALUES (?, ?, 'intent', ?)");
    insert.bind(1, change.run_id);
    insert.bind(2, kind);
    insert.bind(3, static_cast<std::int64_t>(change.at));
    insert.exec();
    return txn.last_insert_id();
  });
}

Status record_call_outcome(Store& store, std::int64_t call_id, const CallOutcome& outcome,
                           const RunChange& change) {
  return store.writer().run([&](WriteTxn& txn) -> Status {
    SQLite::Statement& update = txn.prepare(
        "UPDATE retrain_calls SET state = ?, outcome_at = ?, remote_id = ?, result = ?, "
        "error_kind = ? WHERE id = ? AND run_id = ?");
    update.bind(1, std::string(to_string(outcome.state)));
    update.bind(2, static_cast<std::int64_t>(change.at));
    bind_optional(update, 3, outcome.remote_id);
    update.bind(4, outcome.result);
    bind_optional(update, 5, outcome.error_kind);
    update.bind(6, call_id);
    update.bind(7, change.run_id);
    update.exec();
    if (txn.changes() == 0) {
      return make_error(k_error_not_found, "no outside call " + std::to_string(call_id));
    }
    return apply_run_change(txn, change);
  });
}

}  // namespace driftd::store
