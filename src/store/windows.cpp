#include "driftd/store/windows.hpp"
#include "chunked_delete.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <string>
#include <utility>

#include "driftd/store/drift_buckets.hpp"
#include "driftd/store/errors.hpp"
#include "driftd/store/ids.hpp"
#include "driftd/store/store.hpp"

namespace driftd::store {

namespace {

Error invalid(std::string message, std::string field, std::optional<std::size_t> index = {}) {
  Error error = make_error(k_error_invalid, std::move(message), std::move(field));
  error.index = index;
  return error;
}

Status check_batch(const WindowBatch& batch) {
  if (!is_valid_device_id(batch.device_id)) {
    return invalid("device_id must be 1-64 characters [A-Za-z0-9._:-]", "device_id");
  }
  if (!is_valid_model_version(batch.model_version)) {
    return invalid("model_version must be 1-64 characters [A-Za-z0-9._:-]", "model_version");
  }
  const bool from_clip = batch.source == WindowSource::clip;
  if (from_clip != (batch.clip_id.has_value() && !batch.clip_id->empty())) {
    return invalid("windows from a clip need its clip_id, device windows have none", "clip_id");
  }
  const std::size_t width = batch.windows.empty() ? 0 : batch.windows.front().values.size();
  for (std::size_t i = 0; i < batch.windows.size(); ++i) {
    const auto& values = batch.windows[i].values;
    if (values.empty() || values.size() != width) {
      return invalid("every window of a batch needs the same number of features (" +
                         std::to_string(width) + "), at least one",
                     "features", i);
    }
    for (double v : values) {
      if (!std::isfinite(v)) return invalid("feature values must be finite", "features", i);
    }
  }
  return Ok{};
}

StoredWindow window_from_row(SQLite::Statement& row) {
  StoredWindow w;
  w.device_id = row.getColumn(0).getString();
  w.model_version = row.getColumn(1).getString();
  w.timestamp = row.getColumn(2).getInt64();
  w.source = row.getColumn(3).getString() == "device" ? WindowSource::device : WindowSource::clip;
  if (!row.getColumn(4).isNull()) w.clip_id = row.getColumn(4).getString();
  const SQLite::Column blob = row.getColumn(5);
  auto values = decode_feature_blob(std::string_view(static_cast<const char*>(blob.getBlob()),
                                                     static_cast<std::size_t>(blob.getBytes())));
  if (values) w.values = std::move(*values);
  return w;
}

}  // namespace

std::string_view window_source_name(WindowSource source) {
  return source == WindowSource::device ? "device" : "clip";
}

std::string encode_feature_blob(const std::vector<double>& values) {
  std::string blob(values.size() * 8, '\0');
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto bits = std::bit_cast<std::uint64_t>(values[i]);
    for (int b = 0; b < 8; ++b) blob[i * 8 + b] = static_cast<char>((bits >> (8 * b)) & 0xFF);
  }
  return blob;
}

std::optional<std::vector<double>> decode_feature_blob(std::string_view blob) {
  if (blob.empty() || blob.size() % 8 != 0) return std::nullopt;
  std::vector<double> values(blob.size() / 8);
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::uint64_t bits = 0;
    for (int b = 0; b < 8; ++b) {
      bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(blob[i * 8 + b])) << (8 * b);
    }
    values[i] = std::bit_cast<double>(bits);
  }
  return values;
}

Status record_windows(WriteTxn& txn, const WindowBatch& batch) {
  if (Status ok = check_batch(batch); !ok) return ok;
  if (batch.windows.empty()) return Ok{};
  // The drift buckets take the batch in the same job (before its rows: the rows' ids tell
  // the re-binning which windows were binned live).
  if (Status binned = accumulate_windows(txn, batch); !binned) return binned;
  SQLite::Statement& insert = txn.prepare(
      "INSERT INTO window_features (model_version, device_id, timestamp_ms, clip_id, source, "
      "features) VALUES (?, ?, ?, ?, ?, ?)");
  const std::string source(window_source_name(batch.source));
  for (const FeatureWindow& w : batch.windows) {
    const std::string blob = encode_feature_blob(w.values);
    insert.reset();
    insert.bind(1, batch.model_version);
    insert.bind(2, batch.device_id);
    insert.bind(3, static_cast<std::int64_t>(w.timestamp));
    if (batch.clip_id) {
      insert.bind(4, *batch.clip_id);
    } else {
      insert.bind(4);
    }
    insert.bind(5, source);
    insert.bind(6, blob.data(), static_cast<int>(blob.size()));
    insert.exec();
  }
  return Ok{};
}

Status for_each_window(Store& store, const WindowQuery& query,
                       const std::function<void(const StoredWindow&)>& visit) {
  return store.read([&](Connection& c) -> Status {
    constexpr const char* k_columns =
        "SELECT device_id, model_version, timestamp_ms, source, clip_id, features "
        "FROM window_features ";
    SQLite::Statement& select =
        query.device_id
            ? c.prepare(std::string(k_columns) +
                        "WHERE model_version = ?1 AND device_id = ?4 AND timestamp_ms >= ?2 "
                        "AND timestamp_ms < ?3 ORDER BY timestamp_ms, id")
            : c.prepare(std::string(k_columns) +
                        "WHERE model_version = ?1 AND timestamp_ms >= ?2 AND timestamp_ms < ?3 "
                        "ORDER BY timestamp_ms, id");
    select.bind(1, query.model_version);
    select.bind(2, static_cast<std::int64_t>(query.from));
    select.bind(3, static_cast<std::int64_t>(query.to));
    if (query.device_id) select.bind(4, *query.device_id);
    while (select.executeStep()) visit(window_from_row(select));
    return Ok{};
  });
}

Result<std::vector<StoredWindow>> read_windows(Store& store, const WindowQuery& query) {
  std::vector<StoredWindow> windows;
  Status read = for_each_window(store, query, [&](const StoredWindow& w) { windows.push_back(w); });
  if (!read) return read.error();
  return windows;
}

Result<std::int64_t> delete_windows_before(Store& store, util::UnixMs cutoff,
                                           std::int64_t batch_rows) {
  // The model versions holding windows: one index seek each (the index leads with them).
  auto versions = store.read([](Connection& c) -> Result<std::vector<std::string>> {
    SQLite::Statement& next =
        c.prepare("SELECT min(model_version) FROM window_features WHERE model_version > ?");
    std::vector<std::string> found;
    for (std::string after;; next.reset()) {
      next.bind(1, after);
      if (!next.executeStep() || next.getColumn(0).isNull()) break;
      after = next.getColumn(0).getString();
      found.push_back(after);
    }
    next.reset();
    return found;
  });
  if (!versions) return versions.error();
  std::int64_t total = 0;
  for (const auto& version : *versions) {
    auto deleted =
        delete_in_chunks(store,
                         "DELETE FROM window_features WHERE id IN (SELECT id FROM window_features "
                         "WHERE model_version = ?3 AND timestamp_ms < ?1 LIMIT ?2) "
                         "AND id < (SELECT max(id) FROM window_features)",
                         cutoff, batch_rows, version);
    if (!deleted) return deleted.error();
    total += *deleted;
  }
  return total;
}

}  // namespace driftd::store
