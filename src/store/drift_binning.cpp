// The binning state of each model version and the writer's cache of references.

#include "driftd/store/drift_binning.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "driftd/drift/compact_counts.hpp"
#include "driftd/store/errors.hpp"
#include "driftd/store/references.hpp"
#include "driftd/store/store.hpp"

namespace driftd::store {

namespace {

constexpr const char* k_state_columns =
    "SELECT model_version, first_seen_ms, epoch, reference_id, width, switched_at_id, "
    "rebin_pending, rebin_from, rebin_cursor FROM drift_model_versions";

BinningState state_from_row(SQLite::Statement& row) {
  BinningState s;
  s.model_version = row.getColumn(0).getString();
  s.first_seen = row.getColumn(1).getInt64();
  s.epoch = row.getColumn(2).getInt64();
  s.reference_id = row.getColumn(3).getInt64();
  s.width = static_cast<std::size_t>(row.getColumn(4).getInt64());
  s.switched_at_id = row.getColumn(5).getInt64();
  s.rebin_pending = row.getColumn(6).getInt() != 0;
  if (!row.getColumn(7).isNull()) s.rebin_from = row.getColumn(7).getInt64();
  if (!row.getColumn(8).isNull()) s.rebin_cursor = row.getColumn(8).getInt64();
  return s;
}

std::vector<ActiveReference> read_active(Connection& c) {
  SQLite::Statement& select = c.prepare(
      "SELECT id, model_version, created, json_array_length(feature_names) "
      "FROM drift_references WHERE active = 1");
  std::vector<ActiveReference> active;
  while (select.executeStep()) {
    active.push_back(ActiveReference{
        select.getColumn(0).getInt64(), select.getColumn(1).getString(),
        select.getColumn(2).getInt64(), static_cast<std::size_t>(select.getColumn(3).getInt64())});
  }
  return active;
}

std::int64_t read_max_reference_id(Connection& c) {
  SQLite::Statement& select = c.prepare("SELECT coalesce(max(id), 0) FROM drift_references");
  return select.executeStep() ? select.getColumn(0).getInt64() : 0;
}

EngineSettings read_settings(Connection& c) {
  SQLite::Statement& select =
      c.prepare("SELECT bucket_ms, window_ms, window_increase_ms FROM drift_engine WHERE id = 1");
  EngineSettings settings;
  if (select.executeStep()) {
    settings.bucket_ms = select.getColumn(0).getInt64();
    settings.geometry.window_ms = select.getColumn(1).getInt();
    settings.geometry.window_increase_ms = select.getColumn(2).getInt();
  }
  return settings;
}

std::optional<BinningState> read_state(Connection& c, std::string_view model_version) {
  SQLite::Statement& select = c.prepare(std::string(k_state_columns) + " WHERE model_version = ?");
  select.bind(1, std::string(model_version));
  if (!select.executeStep()) return std::nullopt;
  return state_from_row(select);
}

std::int64_t max_window_id(Connection& c) {
  SQLite::Statement& select = c.prepare("SELECT coalesce(max(id), 0) FROM window_features");
  return select.executeStep() ? select.getColumn(0).getInt64() : 0;
}

bool has_windows(Connection& c, std::string_view model_version) {
  SQLite::Statement& select =
      c.prepare("SELECT 1 FROM window_features WHERE model_version = ? LIMIT 1");
  select.bind(1, std::string(model_version));
  return select.executeStep();
}

}  // namespace

std::optional<ActiveReference> applicable_reference(std::span<const ActiveReference> active,
                                                    std::string_view model_version,
                                                    std::size_t width) {
  const ActiveReference* best = nullptr;
  for (const auto& ref : active) {
    if (ref.width != width) continue;
    if (ref.model_version == model_version) return ref;
    if (best == nullptr || ref.created > best->created ||
        (ref.created == best->created && ref.id > best->id)) {
      best = &ref;
    }
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

void BinningCache::refresh(Connection& connection) {
  SQLite::Statement& select = connection.prepare(
      "SELECT coalesce((SELECT max(id) FROM drift_references), 0), bucket_ms, window_ms, "
      "window_increase_ms FROM drift_engine WHERE id = 1");
  std::int64_t max_id = 0;
  if (select.executeStep()) {
    max_id = select.getColumn(0).getInt64();
    m_settings.bucket_ms = select.getColumn(1).getInt64();
    m_settings.geometry.window_ms = select.getColumn(2).getInt();
    m_settings.geometry.window_increase_ms = select.getColumn(3).getInt();
  }
  if (m_max_reference_id != max_id) {
    m_active = read_active(connection);
    m_max_reference_id = max_id;
  }
}

std::shared_ptr<const drift::Reference> BinningCache::reference(Connection& connection,
                                                                std::int64_t id) {
  if (id <= 0) return nullptr;
  if (auto it = m_references.find(id); it != m_references.end()) return it->second;
  auto loaded = load_reference(connection, id);
  std::shared_ptr<const drift::Reference> reference;
  if (!loaded) {
    spdlog::warn("drift: reference {} cannot be read, its windows are not binned: {}", id,
                 loaded.error().message);
  } else if (loaded->has_value()) {
    reference = std::make_shared<const drift::Reference>(std::move((*loaded)->reference));
  }
  m_references[id] = reference;
  return reference;
}

BinningState ensure_binning(WriteTxn& txn, std::string_view model_version, std::size_t width,
                            std::optional<util::UnixMs> seen_at) {
  Connection& c = txn.connection();
  BinningCache& cache = c.attachment<BinningCache>();
  cache.refresh(c);
  std::optional<BinningState> state = read_state(c, model_version);
  const std::size_t effective_width = width > 0 ? width : (state ? state->width : 0);
  const auto applicable = applicable_reference(cache.active(), model_version, effective_width);
  const std::int64_t reference_id = applicable ? applicable->id : 0;
  if (state && state->reference_id == reference_id && state->width == effective_width) {
    if (seen_at && *seen_at < state->first_seen) {
      SQLite::Statement& lower =
          txn.prepare("UPDATE drift_model_versions SET first_seen_ms = ? WHERE model_version = ?");
      lower.bind(1, static_cast<std::int64_t>(*seen_at));
      lower.bind(2, std::string(model_version));
      lower.exec();
      state->first_seen = *seen_at;
    }
    return *state;
  }
  // A first sight or a change of reference: a new epoch; whatever is stored so far is
  // re-binned with the new reference.
  BinningState next;
  next.model_version = std::string(model_version);
  next.first_seen = state ? std::min(state->first_seen, seen_at.value_or(state->first_seen))
                          : seen_at.value_or(0);
  next.epoch = state ? state->epoch + 1 : 1;
  next.reference_id = reference_id;
  next.width = effective_width;
  next.switched_at_id = max_window_id(c);
  next.rebin_pending = has_windows(c, model_version);
  SQLite::Statement& upsert = txn.prepare(
      "INSERT INTO drift_model_versions (model_version, first_seen_ms, epoch, reference_id, "
      "width, switched_at_id, rebin_pending, rebin_from, rebin_cursor) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, NULL) ON CONFLICT (model_version) DO UPDATE "
      "SET first_seen_ms = ?2, epoch = ?3, reference_id = ?4, width = ?5, switched_at_id = ?6, "
      "rebin_pending = ?7, rebin_from = NULL, rebin_cursor = NULL");
  upsert.bind(1, next.model_version);
  upsert.bind(2, static_cast<std::int64_t>(next.first_seen));
  upsert.bind(3, next.epoch);
  upsert.bind(4, next.reference_id);
  upsert.bind(5, static_cast<std::int64_t>(next.width));
  upsert.bind(6, next.switched_at_id);
  upsert.bind(7, next.rebin_pending ? 1 : 0);
  upsert.exec();
  return next;
}

Result<BinningState> ensure_binning(Store& store, std::string_view model_version,
                                    std::size_t width) {
  const std::string version(model_version);
  return store.writer().run([&](WriteTxn& txn) -> Result<BinningState> {
    return ensure_binning(txn, version, width, std::nullopt);
  });
}

Status save_engine_settings(Store& store, const EngineSettings& settings) {
  if (settings.bucket_ms < 60'000 || settings.geometry.window_ms < 1) {
    return make_error(k_error_invalid, "the drift bucket must be at least a minute long");
  }
  return store.writer().run([&](WriteTxn& txn) -> Status {
    SQLite::Statement& update = txn.prepare(
        "INSERT INTO drift_engine (id, bucket_ms, window_ms, window_increase_ms) "
        "VALUES (1, ?1, ?2, ?3) ON CONFLICT (id) DO UPDATE SET bucket_ms = ?1, window_ms = ?2, "
        "window_increase_ms = ?3");
    update.bind(1, settings.bucket_ms);
    update.bind(2, settings.geometry.window_ms);
    update.bind(3, settings.geometry.window_increase_ms);
    update.exec();
    return Ok{};
  });
}

Result<EngineSettings> load_engine_settings(Store& store) {
  return store.read([](Connection& c) -> Result<EngineSettings> { return read_settings(c); });
}

Result<std::optional<BinningState>> find_binning_state(Store& store,
                                                       std::string_view model_version) {
  return store.read([&](Connection& c) -> Result<std::optional<BinningState>> {
    return read_state(c, model_version);
  });
}

Result<std::vector<BinningState>> list_binning_states(Store& store) {
  return store.read([](Connection& c) -> Result<std::vector<BinningState>> {
    SQLite::Statement& select = c.prepare(std::string(k_state_columns) + " ORDER BY model_version");
    std::vector<BinningState> states;
    while (select.executeStep()) states.push_back(state_from_row(select));
    return states;
  });
}

Result<std::vector<ActiveReference>> active_references(Store& store) {
  return store.read(
      [](Connection& c) -> Result<std::vector<ActiveReference>> { return read_active(c); });
}

Result<std::int64_t> newest_reference_id(Store& store) {
  return store.read([](Connection& c) -> Result<std::int64_t> { return read_max_reference_id(c); });
}

namespace {

std::optional<PredictionReference> read_prediction_reference(Connection& c,
                                                             std::string_view model_version) {
  SQLite::Statement& select = c.prepare(
      "SELECT prediction_ref_from, prediction_ref_to, prediction_ref_labels, "
      "prediction_ref_count, prediction_ref_sum, prediction_ref_sum_sq, prediction_ref_per_unit "
      "FROM drift_model_versions WHERE model_version = ? AND prediction_ref_from IS NOT NULL");
  select.bind(1, std::string(model_version));
  if (!select.executeStep()) return std::nullopt;
  PredictionReference ref;
  ref.from = select.getColumn(0).getInt64();
  ref.to = select.getColumn(1).getInt64();
  const SQLite::Column labels = select.getColumn(2);
  if (!labels.isNull()) {
    const std::span<const std::uint8_t> bytes(static_cast<const std::uint8_t*>(labels.getBlob()),
                                              static_cast<std::size_t>(labels.getBytes()));
    if (Status read = drift::add_label_bytes(ref.labels, bytes); !read) {
      throw std::runtime_error("the prediction reference of model version " +
                               std::string(model_version) + " is corrupt");
    }
  }
  ref.confidence.count = static_cast<std::uint64_t>(select.getColumn(3).getInt64());
  ref.confidence.sum = select.getColumn(4).getDouble();
  ref.confidence.sum_squares = select.getColumn(5).getDouble();
  ref.results_per_unit = select.getColumn(6).getDouble();
  select.reset();
  return ref;
}

}  // namespace

Result<std::optional<PredictionReference>> load_prediction_reference(
    Store& store, std::string_view model_version) {
  return store.read([&](Connection& c) -> Result<std::optional<PredictionReference>> {
    return read_prediction_reference(c, model_version);
  });
}

Result<PredictionReference> save_prediction_reference(Store& store, std::string_view model_version,
                                                      const PredictionReference& reference) {
  const std::vector<std::uint8_t> labels = drift::labels_to_bytes(reference.labels);
  return store.writer().run([&](WriteTxn& txn) -> Result<PredictionReference> {
    if (auto stored = read_prediction_reference(txn.connection(), model_version)) return *stored;
    SQLite::Statement& update = txn.prepare(
        "UPDATE drift_model_versions SET prediction_ref_from = ?, prediction_ref_to = ?, "
        "prediction_ref_labels = ?, prediction_ref_count = ?, prediction_ref_sum = ?, "
        "prediction_ref_sum_sq = ?, prediction_ref_per_unit = ? WHERE model_version = ?");
    update.bind(1, static_cast<std::int64_t>(reference.from));
    update.bind(2, static_cast<std::int64_t>(reference.to));
    update.bind(3, labels.data(), static_cast<int>(labels.size()));
    update.bind(4, static_cast<std::int64_t>(reference.confidence.count));
    update.bind(5, reference.confidence.sum);
    update.bind(6, reference.confidence.sum_squares);
    update.bind(7, reference.results_per_unit);
    update.bind(8, std::string(model_version));
    update.exec();
    if (txn.changes() == 0) {
      return make_error(k_error_not_found, "no drift state for this model version");
    }
    return reference;
  });
}

}  // namespace driftd::store
