// The drift_evaluations and drift_episodes tables.

#include "driftd/store/drift_evaluations.hpp"
#include "chunked_delete.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include "driftd/store/errors.hpp"
#include "driftd/store/store.hpp"

namespace driftd::store {

namespace {

constexpr const char* k_evaluation_columns =
    "SELECT id, model_version, device_id, evaluated_at, window_from, window_to, status, "
    "reference_id, body FROM drift_evaluations ";

EvaluationRecord evaluation_from_row(SQLite::Statement& row) {
  EvaluationRecord e;
  e.id = row.getColumn(0).getInt64();
  e.model_version = row.getColumn(1).getString();
  if (!row.getColumn(2).isNull()) e.device_id = row.getColumn(2).getString();
  e.evaluated_at = row.getColumn(3).getInt64();
  e.window_from = row.getColumn(4).getInt64();
  e.window_to = row.getColumn(5).getInt64();
  e.status = row.getColumn(6).getString();
  e.reference_id = row.getColumn(7).getInt64();
  e.body = row.getColumn(8).getString();
  return e;
}

EpisodeRecord episode_from_row(SQLite::Statement& row) {
  EpisodeRecord e;
  e.model_version = row.getColumn(0).getString();
  e.state = row.getColumn(1).getString();
  if (!row.getColumn(2).isNull()) e.run_id = row.getColumn(2).getString();
  if (!row.getColumn(3).isNull()) e.last_trigger = row.getColumn(3).getString();
  e.updated_at = row.getColumn(4).getInt64();
  return e;
}

void bind_optional(SQLite::Statement& s, int index, const std::optional<std::string>& value) {
  if (value) {
    s.bind(index, *value);
  } else {
    s.bind(index);
  }
}

// "device_id IS ?" matches NULL with NULL, so one statement serves both scopes.
constexpr const char* k_scope = "WHERE model_version = ?1 AND device_id IS ?2 ";

}  // namespace

Status save_evaluations(Store& store, const std::vector<EvaluationRecord>& evaluations,
                        const std::vector<EpisodeRecord>& episodes) {
  if (evaluations.empty() && episodes.empty()) return Ok{};
  return store.writer().run([&](WriteTxn& txn) -> Status {
    SQLite::Statement& insert = txn.prepare(
        "INSERT INTO drift_evaluations (model_version, device_id, evaluated_at, window_from, "
        "window_to, status, reference_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& e : evaluations) {
      insert.reset();
      insert.bind(1, e.model_version);
      bind_optional(insert, 2, e.device_id);
      insert.bind(3, static_cast<std::int64_t>(e.evaluated_at));
      insert.bind(4, static_cast<std::int64_t>(e.window_from));
      insert.bind(5, static_cast<std::int64_t>(e.window_to));
      insert.bind(6, e.status);
      insert.bind(7, e.reference_id);
      insert.bind(8, e.body);
      insert.exec();
    }
    SQLite::Statement& upsert = txn.prepare(
        "INSERT INTO drift_episodes (model_version, state, run_id, last_trigger, updated_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (model_version) DO UPDATE SET state = ?2, "
        "run_id = ?3, last_trigger = ?4, updated_at = ?5");
    for (const auto& e : episodes) {
      upsert.reset();
      upsert.bind(1, e.model_version);
      upsert.bind(2, e.state);
      bind_optional(upsert, 3, e.run_id);
      bind_optional(upsert, 4, e.last_trigger);
      upsert.bind(5, static_cast<std::int64_t>(e.updated_at));
      upsert.exec();
    }
    return Ok{};
  });
}

Result<std::optional<EvaluationRecord>> latest_evaluation(
    Store& store, std::string_view model_version, const std::optional<std::string>& device_id) {
  return store.read([&](Connection& c) -> Result<std::optional<EvaluationRecord>> {
    SQLite::Statement& select = c.prepare(std::string(k_evaluation_columns) + k_scope +
                                          "ORDER BY evaluated_at DESC, id DESC LIMIT 1");
    select.bind(1, std::string(model_version));
    bind_optional(select, 2, device_id);
    if (!select.executeStep()) return std::optional<EvaluationRecord>{};
    return std::optional<EvaluationRecord>(evaluation_from_row(select));
  });
}

Result<std::vector<EvaluationRecord>> evaluation_history(
    Store& store, std::string_view model_version, const std::optional<std::string>& device_id,
    util::UnixMs since, util::UnixMs until, std::size_t limit) {
  return store.read([&](Connection& c) -> Result<std::vector<EvaluationRecord>> {
    SQLite::Statement& select = c.prepare(std::string(k_evaluation_columns) + k_scope +
                                          "AND evaluated_at >= ?3 AND evaluated_at <= ?4 "
                                          "ORDER BY evaluated_at DESC, id DESC LIMIT ?5");
    select.bind(1, std::string(model_version));
    bind_optional(select, 2, device_id);
    select.bind(3, static_cast<std::int64_t>(since));
    select.bind(4, static_cast<std::int64_t>(until));
    select.bind(5, static_cast<std::int64_t>(limit));
    std::vector<EvaluationRecord> rows;
    while (select.executeStep()) rows.push_back(evaluation_from_row(select));
    return rows;
  });
}

Result<std::optional<EpisodeRecord>> load_episode(Store& store, std::string_view model_version) {
  return store.read([&](Connection& c) -> Result<std::optional<EpisodeRecord>> {
    SQLite::Statement& select = c.prepare(
        "SELECT model_version, state, run_id, last_trigger, updated_at FROM drift_episodes "
        "WHERE model_version = ?");
    select.bind(1, std::string(model_version));
    if (!select.executeStep()) return std::optional<EpisodeRecord>{};
    return std::optional<EpisodeRecord>(episode_from_row(select));
  });
}

Result<std::vector<EpisodeRecord>> list_episodes(Store& store) {
  return store.read([](Connection& c) -> Result<std::vector<EpisodeRecord>> {
    SQLite::Statement& select = c.prepare(
        "SELECT model_version, state, run_id, last_trigger, updated_at FROM drift_episodes "
        "ORDER BY model_version");
    std::vector<EpisodeRecord> rows;
    while (select.executeStep()) rows.push_back(episode_from_row(select));
    return rows;
  });
}

Result<std::int64_t> delete_evaluations_before(Store& store, util::UnixMs cutoff,
                                               std::int64_t batch_rows) {
  return delete_in_chunks(store,
                          "DELETE FROM drift_evaluations WHERE id IN "
                          "(SELECT id FROM drift_evaluations WHERE evaluated_at < ?1 LIMIT ?2)",
                          cutoff, batch_rows);
}

}  // namespace driftd::store
