// The drift_references table: saving a reference (replacing the active one of its model
// version) and reading references back, whole or as summaries; a retrain run's successor
// reference and its adoption by the model version that reports the retrained model.

#include "driftd/store/references.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <utility>

#include <nlohmann/json.hpp>

#include "driftd/store/errors.hpp"
#include "driftd/store/ids.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/windows.hpp"

namespace driftd::store {

namespace {

using nlohmann::json;

constexpr const char* k_info_columns =
    "SELECT id, model_version, created, source, active, windows, clips, bins, feature_names, "
    "label_counts";
constexpr const char* k_all_columns =
    "SELECT id, model_version, created, source, active, windows, clips, bins, feature_names, "
    "label_counts, edges, counts, results_per_unit";

Error invalid(std::string message, std::string field) {
  return make_error(k_error_invalid, std::move(message), std::move(field));
}

Status check_edges(const std::vector<drift::ReferenceBins>& features, std::size_t bins) {
  for (const auto& feature : features) {
    if (feature.name.empty()) return invalid("every feature needs a name", "features");
    if (feature.edges.size() + 1 != bins) {
      return invalid("feature " + feature.name + " has " + std::to_string(feature.edges.size()) +
                         " edges, not " + std::to_string(bins - 1),
                     "edges");
    }
    for (std::size_t i = 0; i < feature.edges.size(); ++i) {
      if (!std::isfinite(feature.edges[i]) || (i > 0 && feature.edges[i] < feature.edges[i - 1])) {
        return invalid("the edges of feature " + feature.name + " must be finite and ascending",
                       "edges");
      }
    }
  }
  return Ok{};
}

Status check_reference(const drift::Reference& reference) {
  const drift::SampleCounts& counts = reference.counts;
  if (reference.features.empty() || counts.features() != reference.features.size()) {
    return invalid("the reference counts do not match its features", "counts");
  }
  if (counts.windows() <= 0 || counts.clips() == 0) {
    return invalid("a reference needs at least one window", "counts");
  }
  if (counts.bins() < 2 || counts.bins() > 1000) {
    return invalid("a reference needs 2 to 1000 bins", "bins");
  }
  if (Status edges = check_edges(reference.features, counts.bins()); !edges) return edges;
  const double per_unit = reference.predictions.results_per_unit;
  if (!std::isfinite(per_unit) || per_unit <= 0) {
    return invalid("results_per_unit must be positive", "predictions");
  }
  return Ok{};
}

Error corrupt(std::int64_t id, const std::string& what) {
  return make_error(k_error_internal,
                    "stored reference " + std::to_string(id) + " is corrupt: " + what);
}

std::string text_column(SQLite::Statement& row, int index) {
  return row.getColumn(index).getString();
}

// The columns of k_info_columns (0..9).
Result<ReferenceInfo> info_from_row(SQLite::Statement& row) {
  ReferenceInfo info;
  info.id = row.getColumn(0).getInt64();
  info.model_version = text_column(row, 1);
  info.created = row.getColumn(2).getInt64();
  info.source = text_column(row, 3);
  info.active = row.getColumn(4).getInt() != 0;
  info.windows = row.getColumn(5).getInt64();
  info.clips = row.getColumn(6).getInt64();
  info.bins = row.getColumn(7).getInt();
  const json names = json::parse(text_column(row, 8), nullptr, false);
  const json labels = json::parse(text_column(row, 9), nullptr, false);
  if (!names.is_array() || !labels.is_object()) {
    return corrupt(info.id, "feature names or label counts are not JSON");
  }
  for (const auto& name : names) {
    if (!name.is_string()) return corrupt(info.id, "a feature name is not a string");
    info.feature_names.push_back(name.get<std::string>());
  }
  for (const auto& [label, count] : labels.items()) {
    if (!count.is_number_unsigned()) return corrupt(info.id, "a label count is not a count");
    info.labels[label] = count.get<std::uint64_t>();
  }
  return info;
}

// The statistics columns 10..12 of k_all_columns, checked against `info`.
Result<drift::Reference> reference_from_row(SQLite::Statement& row, const ReferenceInfo& info) {
  drift::Reference reference;
  const json edges = json::parse(text_column(row, 10), nullptr, false);
  if (!edges.is_array() || edges.size() != info.feature_names.size()) {
    return corrupt(info.id, "the edges do not match the feature names");
  }
  for (std::size_t f = 0; f < edges.size(); ++f) {
    drift::ReferenceBins bins{info.feature_names[f], {}};
    if (!edges[f].is_array()) return corrupt(info.id, "edges of a feature are not an array");
    for (const auto& edge : edges[f]) {
      if (!edge.is_number()) return corrupt(info.id, "an edge is not a number");
      bins.edges.push_back(edge.get<double>());
    }
    reference.features.push_back(std::move(bins));
  }
  const SQLite::Column blob = row.getColumn(11);
  const auto* bytes = static_cast<const std::uint8_t*>(blob.getBlob());
  auto counts = drift::SampleCounts::from_bytes(
      std::span<const std::uint8_t>(bytes, static_cast<std::size_t>(blob.getBytes())));
  if (!counts) return corrupt(info.id, counts.error().message);
  reference.counts = std::move(counts).value();
  reference.predictions.labels = info.labels;
  reference.predictions.results_per_unit = row.getColumn(12).getDouble();
  if (reference.counts.windows() != info.windows ||
      static_cast<std::int64_t>(reference.counts.clips()) != info.clips ||
      static_cast<int>(reference.counts.bins()) != info.bins) {
    return corrupt(info.id, "the counts do not match the row");
  }
  if (Status ok = check_reference(reference); !ok) return corrupt(info.id, ok.error().message);
  return reference;
}

// Reads at most one whole reference with `sql` (k_all_columns ...), binding `bind`.
template <typename Bind>
Result<std::optional<StoredReference>> read_one(Connection& c, const std::string& sql, Bind bind) {
  SQLite::Statement& select = c.prepare(sql);
  bind(select);
  if (!select.executeStep()) return std::optional<StoredReference>{};
  auto info = info_from_row(select);
  if (!info) return info.error();
  auto reference = reference_from_row(select, info.value());
  if (!reference) return reference.error();
  return std::optional<StoredReference>(
      StoredReference{std::move(info).value(), std::move(reference).value()});
}

const std::string k_select_active =
    std::string(k_all_columns) + " FROM drift_references WHERE model_version = ? AND active = 1";
const std::string k_select_by_id =
    std::string(k_all_columns) + " FROM drift_references WHERE id = ?";
const std::string k_select_newest = std::string(k_all_columns) +
                                    " FROM drift_references WHERE active = 1 "
                                    "ORDER BY created DESC, id DESC LIMIT 1";

}  // namespace

Result<ReferenceRow> prepare_reference(std::string_view model_version, std::string_view source,
                                       const drift::Reference& reference, util::UnixMs created) {
  if (!is_valid_model_version(model_version)) {
    return invalid("model_version must be 1-64 characters [A-Za-z0-9._:-]", "model_version");
  }
  if (source.empty() || source.size() > k_max_reference_source) {
    return invalid(
        "a reference's source must be 1-" + std::to_string(k_max_reference_source) + " characters",
        "source");
  }
  if (Status ok = check_reference(reference); !ok) return ok.error();
  ReferenceRow row;
  row.model_version = std::string(model_version);
  row.created = created;
  row.source = std::string(source);
  row.windows = reference.counts.windows();
  row.clips = static_cast<std::int64_t>(reference.counts.clips());
  row.bins = static_cast<int>(reference.counts.bins());
  json names = json::array();
  json edges = json::array();
  for (const auto& feature : reference.features) {
    names.push_back(feature.name);
    edges.push_back(feature.edges);
  }
  row.feature_names = names.dump();
  row.edges = edges.dump();
  row.counts = reference.counts.to_bytes();
  json labels = json::object();
  for (const auto& [label, count] : reference.predictions.labels) labels[label] = count;
  row.label_counts = labels.dump();
  row.results_per_unit = reference.predictions.results_per_unit;
  return row;
}

Result<std::int64_t> insert_reference(WriteTxn& txn, const ReferenceRow& row) {
  SQLite::Statement& retire =
      txn.prepare("UPDATE drift_references SET active = 0 WHERE model_version = ? AND active = 1");
  retire.bind(1, row.model_version);
  retire.exec();
  SQLite::Statement& insert = txn.prepare(
      "INSERT INTO drift_references (model_version, created, source, active, windows, clips, "
      "bins, feature_names, edges, counts, label_counts, results_per_unit) "
      "VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, row.model_version);
  insert.bind(2, static_cast<std::int64_t>(row.created));
  insert.bind(3, row.source);
  insert.bind(4, row.windows);
  insert.bind(5, row.clips);
  insert.bind(6, row.bins);
  insert.bind(7, row.feature_names);
  insert.bind(8, row.edges);
  insert.bind(9, row.counts.data(), static_cast<int>(row.counts.size()));
  insert.bind(10, row.label_counts);
  insert.bind(11, row.results_per_unit);
  insert.exec();
  return txn.last_insert_id();
}

Result<std::int64_t> save_reference(Store& store, std::string_view model_version,
                                    std::string_view source, const drift::Reference& reference,
                                    util::UnixMs created) {
  auto row = prepare_reference(model_version, source, reference, created);
  if (!row) return row.error();
  return store.writer().run(
      [row = std::move(row).value()](WriteTxn& txn) { return insert_reference(txn, row); });
}

Result<std::optional<StoredReference>> load_active_reference(Connection& connection,
                                                             std::string_view model_version) {
  const std::string version(model_version);
  return read_one(connection, k_select_active, [&](SQLite::Statement& s) { s.bind(1, version); });
}

Result<std::optional<StoredReference>> load_reference(Connection& connection, std::int64_t id) {
  return read_one(connection, k_select_by_id, [&](SQLite::Statement& s) { s.bind(1, id); });
}

Result<std::optional<StoredReference>> newest_reference(Connection& connection) {
  return read_one(connection, k_select_newest, [](SQLite::Statement&) {});
}

Result<std::optional<StoredReference>> load_active_reference(Store& store,
                                                             std::string_view model_version) {
  return store.read([&](Connection& c) { return load_active_reference(c, model_version); });
}

Result<std::optional<StoredReference>> load_reference(Store& store, std::int64_t id) {
  return store.read([&](Connection& c) { return load_reference(c, id); });
}

Result<std::optional<StoredReference>> newest_reference(Store& store) {
  return store.read([&](Connection& c) { return newest_reference(c); });
}

std::string successor_model_version(std::string_view run_id) {
  return "retrain:" + std::string(run_id);
}

std::string successor_source(std::string_view run_id) {
  return "retrain:" + std::string(run_id);
}

bool is_successor_source(std::string_view source) {
  return source.starts_with("retrain:");
}

namespace {

// The reference a successor of `model_version` starts from: its active reference, else the
// one its windows are binned with (drift_model_versions.reference_id).
Result<std::optional<StoredReference>> successor_base(Connection& c,
                                                      const std::string& model_version) {
  auto own = load_active_reference(c, model_version);
  if (!own || own->has_value()) return own;
  SQLite::Statement& binned =
      c.prepare("SELECT reference_id FROM drift_model_versions WHERE model_version = ?");
  binned.bind(1, model_version);
  std::int64_t id = 0;
  if (binned.executeStep()) id = binned.getColumn(0).getInt64();
  binned.reset();
  if (id <= 0) return std::optional<StoredReference>{};
  return load_reference(c, id);
}

// An uploaded clip of a run: its windows' feature vectors and its upload label.
struct UploadedClip {
  std::string clip_id;
  std::optional<std::string> label;
  drift::ClipFeatures windows;
};

std::vector<UploadedClip> uploaded_clips(Connection& c, const std::string& run_id) {
  SQLite::Statement& chosen = c.prepare(
      "SELECT rc.clip_id, rc.label, c.model_version, c.timestamp_ms, c.duration_ms "
      "FROM retrain_run_clips rc JOIN clips c ON c.clip_id = rc.clip_id "
      "WHERE rc.run_id = ? AND rc.outcome IN ('stored', 'duplicate') "
      "ORDER BY rc.batch, rc.position");
  chosen.bind(1, run_id);
  struct Chosen {
    UploadedClip clip;
    std::string model_version;
    std::int64_t from = 0;
    std::int64_t to = 0;
  };
  std::vector<Chosen> list;
  while (chosen.executeStep()) {
    Chosen one;
    one.clip.clip_id = chosen.getColumn(0).getString();
    if (!chosen.getColumn(1).isNull()) one.clip.label = chosen.getColumn(1).getString();
    one.model_version = chosen.getColumn(2).getString();
    one.from = chosen.getColumn(3).getInt64();
    one.to = one.from + std::max<std::int64_t>(chosen.getColumn(4).getInt64(), 0);
    list.push_back(std::move(one));
  }
  chosen.reset();
  // A clip's windows are stamped with the clip's time plus their start inside it, so the
  // (model_version, timestamp_ms) index finds them.
  SQLite::Statement& windows = c.prepare(
      "SELECT features FROM window_features WHERE model_version = ? AND timestamp_ms >= ? "
      "AND timestamp_ms <= ? AND clip_id = ? ORDER BY id");
  std::vector<UploadedClip> clips;
  for (Chosen& one : list) {
    windows.reset();
    windows.bind(1, one.model_version);
    windows.bind(2, one.from);
    windows.bind(3, one.to);
    windows.bind(4, one.clip.clip_id);
    bool readable = true;
    while (windows.executeStep()) {
      const SQLite::Column blob = windows.getColumn(0);
      auto values = decode_feature_blob(std::string_view(
          static_cast<const char*>(blob.getBlob()), static_cast<std::size_t>(blob.getBytes())));
      if (!values) {
        readable = false;
        continue;
      }
      one.clip.windows.push_back(std::move(*values));
    }
    if (readable) clips.push_back(std::move(one.clip));
  }
  windows.reset();
  return clips;
}

std::optional<std::int64_t> reference_with_source(Connection& c, const std::string& source) {
  SQLite::Statement& select =
      c.prepare("SELECT id FROM drift_references WHERE source = ? ORDER BY id LIMIT 1");
  select.bind(1, source);
  std::optional<std::int64_t> id;
  if (select.executeStep()) id = select.getColumn(0).getInt64();
  select.reset();
  return id;
}

}  // namespace

SuccessorOutcome save_successor_reference(WriteTxn& txn, std::string_view run_id,
                                          drift::WindowGeometry geometry, util::UnixMs created) {
  Connection& c = txn.connection();
  const std::string run(run_id);
  const std::string source = successor_source(run);
  SuccessorOutcome outcome;
  if (auto existing = reference_with_source(c, source)) {
    outcome.id = existing;
    return outcome;
  }
  SQLite::Statement& select =
      c.prepare("SELECT model_version, dry_run FROM retrain_runs WHERE id = ?");
  select.bind(1, run);
  if (!select.executeStep()) {
    select.reset();
    outcome.detail = "no successor reference: no retrain run " + run;
    return outcome;
  }
  const std::string model_version = select.getColumn(0).getString();
  const bool dry_run = select.getColumn(1).getInt() != 0;
  select.reset();
  if (dry_run) {
    outcome.detail = "no successor reference (dry run)";
    return outcome;
  }
  auto base = successor_base(c, model_version);
  if (!base) {
    outcome.detail = "no successor reference: the reference of model version " + model_version +
                     " cannot be read: " + base.error().message;
    return outcome;
  }
  if (!base->has_value()) {
    outcome.detail = "no successor reference: model version " + model_version + " has no reference";
    return outcome;
  }
  const StoredReference& from = **base;
  drift::Reference next = from.reference;
  std::uint64_t labelled_windows = 0;
  for (const auto& [label, count] : next.predictions.labels) labelled_windows += count;
  double labelled_clips = labelled_windows > 0 ? static_cast<double>(labelled_windows) /
                                                     next.predictions.results_per_unit
                                               : 0.0;
  std::int64_t skipped = 0;
  for (const UploadedClip& clip : uploaded_clips(c, run)) {
    if (clip.windows.empty()) continue;
    if (Status added = drift::add_clip(next.counts, from.reference, clip.windows, geometry);
        !added) {
      ++skipped;  // windows of another width than the reference's features
      continue;
    }
    ++outcome.clips;
    outcome.windows += static_cast<std::int64_t>(clip.windows.size());
    if (clip.label) {
      next.predictions.labels[*clip.label] += clip.windows.size();
      labelled_windows += clip.windows.size();
      labelled_clips += 1;
    }
  }
  if (labelled_windows > 0 && labelled_clips > 0) {
    next.predictions.results_per_unit = static_cast<double>(labelled_windows) / labelled_clips;
  }
  auto row = prepare_reference(successor_model_version(run), source, next, created);
  if (!row) {
    outcome.detail = "no successor reference: " + row.error().message;
    return outcome;
  }
  auto id = insert_reference(txn, row.value());
  if (!id) {
    outcome.detail = "no successor reference: " + id.error().message;
    return outcome;
  }
  outcome.id = id.value();
  outcome.saved = true;
  outcome.detail = "successor reference " + std::to_string(*outcome.id) +
                   " saved as model version " + successor_model_version(run) +
                   ": the reference of model version " + from.info.model_version + " (" +
                   std::to_string(from.info.windows) + " windows) plus " +
                   std::to_string(outcome.windows) + " windows of " +
                   std::to_string(outcome.clips) + " uploaded clips";
  if (skipped > 0) {
    outcome.detail += "; " + std::to_string(skipped) +
                      " clips left out (their windows do not match the reference's features)";
  }
  return outcome;
}

Result<std::optional<std::int64_t>> adopt_reference(Store& store, std::string_view model_version,
                                                    std::int64_t reference_id) {
  if (!is_valid_model_version(model_version)) {
    return invalid("model_version must be 1-64 characters [A-Za-z0-9._:-]", "model_version");
  }
  const std::string version(model_version);
  return store.writer().run([&](WriteTxn& txn) -> Result<std::optional<std::int64_t>> {
    SQLite::Statement& own =
        txn.prepare("SELECT 1 FROM drift_references WHERE model_version = ? AND active = 1");
    own.bind(1, version);
    const bool has_own = own.executeStep();
    own.reset();
    if (has_own) return std::optional<std::int64_t>{};
    SQLite::Statement& copy = txn.prepare(
        "INSERT INTO drift_references (model_version, created, source, active, windows, clips, "
        "bins, feature_names, edges, counts, label_counts, results_per_unit) "
        "SELECT ?, created, source, 1, windows, clips, bins, feature_names, edges, counts, "
        "label_counts, results_per_unit FROM drift_references WHERE id = ?");
    copy.bind(1, version);
    copy.bind(2, reference_id);
    copy.exec();
    if (txn.changes() == 0) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>(txn.last_insert_id());
  });
}

Result<std::vector<ReferenceInfo>> list_references(Store& store, ReferenceListing which) {
  return store.read([&](Connection& c) -> Result<std::vector<ReferenceInfo>> {
    SQLite::Statement& select =
        c.prepare(std::string(k_info_columns) + " FROM drift_references" +
                  (which == ReferenceListing::active ? " WHERE active = 1" : "") +
                  " ORDER BY created DESC, id DESC");
    std::vector<ReferenceInfo> list;
    while (select.executeStep()) {
      auto info = info_from_row(select);
      if (!info) return info.error();
      list.push_back(std::move(info).value());
    }
    return list;
  });
}

}  // namespace driftd::store
