#include "driftd/store/clips.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <set>
#include <utility>

#include "driftd/store/errors.hpp"
#include "driftd/store/ids.hpp"
#include "driftd/store/store.hpp"

namespace driftd::store {

namespace {

// 128 characters of up to 4 UTF-8 bytes each (the API counts characters).
constexpr std::size_t k_max_text_bytes = 512;
// Rows read per step while looking for eviction candidates.
constexpr int k_eviction_page = 64;

constexpr const char* k_clip_columns =
    "SELECT clip_id, device_id, model_version, timestamp_ms, received_ms, label, confidence, "
    "result_id, sha256, bytes, sample_rate_hz, channels, duration_ms, windows, path, pinned_by, "
    "evicted_at FROM clips ";

Error invalid(std::string message, std::string field) {
  return make_error(k_error_invalid, std::move(message), std::move(field));
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

template <typename T>
void bind_optional(SQLite::Statement& s, int index, const std::optional<T>& value) {
  if (value) {
    s.bind(index, *value);
  } else {
    s.bind(index);
  }
}

std::optional<std::string> optional_text(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}

ClipRecord clip_from_row(SQLite::Statement& row) {
  ClipRecord c;
  c.clip_id = row.getColumn(0).getString();
  c.device_id = row.getColumn(1).getString();
  c.model_version = row.getColumn(2).getString();
  c.timestamp = row.getColumn(3).getInt64();
  c.received = row.getColumn(4).getInt64();
  c.label = optional_text(row.getColumn(5));
  if (!row.getColumn(6).isNull()) c.confidence = row.getColumn(6).getDouble();
  c.result_id = optional_text(row.getColumn(7));
  c.sha256 = row.getColumn(8).getString();
  c.bytes = row.getColumn(9).getInt64();
  c.sample_rate_hz = row.getColumn(10).getInt();
  c.channels = row.getColumn(11).getInt();
  c.duration_ms = row.getColumn(12).getInt64();
  c.windows = row.getColumn(13).getInt64();
  c.path = row.getColumn(14).getString();
  c.pinned_by = optional_text(row.getColumn(15));
  if (!row.getColumn(16).isNull()) c.evicted_at = row.getColumn(16).getInt64();
  return c;
}

struct Candidate {
  std::int64_t id = 0;
  std::int64_t received = 0;
  ReleasedFile file;
};

// The next page of unevicted, unpinned rows after (received, id), oldest first.
std::vector<Candidate> next_candidates(WriteTxn& txn, std::int64_t after_received,
                                       std::int64_t after_id) {
  SQLite::Statement& page = txn.prepare(
      "SELECT id, received_ms, sha256, path, bytes FROM clips "
      "WHERE evicted_at IS NULL AND pinned_by IS NULL AND (received_ms, id) > (?1, ?2) "
      "ORDER BY received_ms, id LIMIT ?3");
  page.bind(1, after_received);
  page.bind(2, after_id);
  page.bind(3, k_eviction_page);
  std::vector<Candidate> out;
  while (page.executeStep()) {
    out.push_back({page.getColumn(0).getInt64(),
                   page.getColumn(1).getInt64(),
                   {page.getColumn(2).getString(), page.getColumn(3).getString(),
                    page.getColumn(4).getInt64()}});
  }
  page.reset();
  return out;
}

bool file_pinned(WriteTxn& txn, const std::string& sha256) {
  SQLite::Statement& pinned = txn.prepare(
      "SELECT 1 FROM clips WHERE sha256 = ? AND evicted_at IS NULL AND pinned_by IS NOT NULL "
      "LIMIT 1");
  pinned.bind(1, sha256);
  const bool found = pinned.executeStep();
  pinned.reset();
  return found;
}

}  // namespace

Status check_clip(const ClipRecord& c) {
  if (c.clip_id.empty() || c.clip_id.size() > 64)
    return invalid("clip_id must be 1-64 characters", "clip_id");
  if (!is_valid_device_id(c.device_id)) {
    return invalid("device_id must be 1-64 characters [A-Za-z0-9._:-]", "device_id");
  }
  if (!is_valid_model_version(c.model_version)) {
    return invalid("model_version must be 1-64 characters [A-Za-z0-9._:-]", "model_version");
  }
  if (c.label && (c.label->empty() || c.label->size() > k_max_text_bytes)) {
    return invalid("label must be 1-128 characters", "label");
  }
  if (c.confidence && !(std::isfinite(*c.confidence) && *c.confidence >= 0 && *c.confidence <= 1)) {
    return invalid("confidence must be a finite number in [0, 1]", "confidence");
  }
  if (c.result_id && (c.result_id->empty() || c.result_id->size() > k_max_text_bytes)) {
    return invalid("result_id must be 1-128 characters", "result_id");
  }
  if (!is_sha256_hex(c.sha256)) return invalid("sha256 must be 64 lowercase hex digits", "sha256");
  if (c.bytes <= 0) return invalid("a clip file holds at least one byte", "bytes");
  if (c.sample_rate_hz <= 0 || c.channels <= 0 || c.duration_ms < 0 || c.windows < 0) {
    return invalid("sample rate and channels must be positive, duration and windows not negative",
                   "sample_rate_hz");
  }
  if (c.path.empty()) return invalid("a clip needs the path of its file", "path");
  return Ok{};
}

std::optional<ClipRecord> find_clip_by_result(WriteTxn& txn, std::string_view device_id,
                                              std::string_view result_id) {
  SQLite::Statement& query =
      txn.prepare(std::string(k_clip_columns) + "WHERE device_id = ? AND result_id = ?");
  query.bind(1, std::string(device_id));
  query.bind(2, std::string(result_id));
  if (!query.executeStep()) return std::nullopt;
  ClipRecord found = clip_from_row(query);
  query.reset();
  return found;
}

void insert_clip_row(WriteTxn& txn, const ClipRecord& c) {
  SQLite::Statement& insert = txn.prepare(
      "INSERT INTO clips (clip_id, device_id, model_version, timestamp_ms, received_ms, label, "
      "confidence, result_id, sha256, bytes, sample_rate_hz, channels, duration_ms, windows, "
      "path, pinned_by, evicted_at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, c.clip_id);
  insert.bind(2, c.device_id);
  insert.bind(3, c.model_version);
  insert.bind(4, static_cast<std::int64_t>(c.timestamp));
  insert.bind(5, static_cast<std::int64_t>(c.received));
  bind_optional(insert, 6, c.label);
  bind_optional(insert, 7, c.confidence);
  bind_optional(insert, 8, c.result_id);
  insert.bind(9, c.sha256);
  insert.bind(10, static_cast<std::int64_t>(c.bytes));
  insert.bind(11, c.sample_rate_hz);
  insert.bind(12, c.channels);
  insert.bind(13, static_cast<std::int64_t>(c.duration_ms));
  insert.bind(14, static_cast<std::int64_t>(c.windows));
  insert.bind(15, c.path);
  bind_optional(insert, 16, c.pinned_by);
  bind_optional(insert, 17, c.evicted_at);
  insert.exec();
}

std::vector<ReleasedFile> evict_oldest(WriteTxn& txn, std::int64_t bytes_to_free, util::UnixMs now,
                                       std::size_t max_files) {
  std::vector<ReleasedFile> released;
  std::set<std::string> considered;  // files already decided on in this job
  std::int64_t freed = 0;
  std::int64_t after_received = std::numeric_limits<std::int64_t>::min();
  std::int64_t after_id = std::numeric_limits<std::int64_t>::min();
  while (freed < bytes_to_free && released.size() < max_files) {
    const std::vector<Candidate> page = next_candidates(txn, after_received, after_id);
    if (page.empty()) break;
    for (const Candidate& c : page) {
      if (freed >= bytes_to_free || released.size() >= max_files) break;
      if (!considered.insert(c.file.sha256).second || file_pinned(txn, c.file.sha256)) continue;
      SQLite::Statement& evict =
          txn.prepare("UPDATE clips SET evicted_at = ? WHERE sha256 = ? AND evicted_at IS NULL");
      evict.bind(1, static_cast<std::int64_t>(now));
      evict.bind(2, c.file.sha256);
      evict.exec();
      freed += c.file.bytes;
      released.push_back(c.file);
    }
    after_received = page.back().received;
    after_id = page.back().id;
  }
  return released;
}

bool clip_file_in_use(Connection& connection, std::string_view sha256) {
  SQLite::Statement& query =
      connection.prepare("SELECT 1 FROM clips WHERE sha256 = ? AND evicted_at IS NULL LIMIT 1");
  query.bind(1, std::string(sha256));
  const bool found = query.executeStep();
  query.reset();
  return found;
}

std::int64_t pin_clips(WriteTxn& txn, std::string_view run_id,
                       const std::vector<std::string>& clip_ids) {
  const std::string run(run_id);
  SQLite::Statement& pin = txn.prepare(
      "UPDATE clips SET pinned_by = ?1 WHERE clip_id = ?2 AND evicted_at IS NULL "
      "AND (pinned_by IS NULL OR pinned_by = ?1)");
  std::int64_t pinned = 0;
  for (const std::string& clip_id : clip_ids) {
    pin.reset();
    pin.bind(1, run);
    pin.bind(2, clip_id);
    pin.exec();
    pinned += txn.changes();
  }
  return pinned;
}

std::int64_t unpin_clips(WriteTxn& txn, std::string_view run_id) {
  SQLite::Statement& unpin = txn.prepare("UPDATE clips SET pinned_by = NULL WHERE pinned_by = ?");
  unpin.bind(1, std::string(run_id));
  unpin.exec();
  return txn.changes();
}

Result<std::optional<ClipRecord>> find_clip(Store& store, std::string_view clip_id) {
  return store.read([&](Connection& c) -> Result<std::optional<ClipRecord>> {
    SQLite::Statement& query = c.prepare(std::string(k_clip_columns) + "WHERE clip_id = ?");
    query.bind(1, std::string(clip_id));
    if (!query.executeStep()) return std::optional<ClipRecord>();
    return std::optional<ClipRecord>(clip_from_row(query));
  });
}

Result<std::vector<ClipRecord>> list_clips(Store& store, const ClipQuery& q) {
  std::string sql = std::string(k_clip_columns) + "WHERE timestamp_ms >= ?1 AND timestamp_ms < ?2";
  if (!q.model_version.empty()) sql += " AND model_version = ?3";
  if (q.device_id) sql += " AND device_id = ?4";
  if (q.with_file_only) sql += " AND evicted_at IS NULL";
  sql += " ORDER BY timestamp_ms DESC, id DESC LIMIT ?5";
  return store.read([&](Connection& c) -> Result<std::vector<ClipRecord>> {
    SQLite::Statement& query = c.prepare(sql);
    query.bind(1, static_cast<std::int64_t>(q.from));
    query.bind(2, static_cast<std::int64_t>(q.to));
    if (!q.model_version.empty()) query.bind(3, q.model_version);
    if (q.device_id) query.bind(4, *q.device_id);
    query.bind(5, static_cast<std::int64_t>(q.limit));
    std::vector<ClipRecord> clips;
    while (query.executeStep()) clips.push_back(clip_from_row(query));
    return clips;
  });
}

Result<std::vector<ClipFileUse>> clip_files_in_use(Store& store) {
  return store.read([](Connection& c) -> Result<std::vector<ClipFileUse>> {
    SQLite::Statement& query =
        c.prepare("SELECT path, MAX(bytes) FROM clips WHERE evicted_at IS NULL GROUP BY path");
    std::vector<ClipFileUse> files;
    while (query.executeStep()) {
      files.push_back({query.getColumn(0).getString(), query.getColumn(1).getInt64()});
    }
    return files;
  });
}

Result<std::int64_t> mark_clip_files_evicted(Store& store, const std::vector<std::string>& paths,
                                             util::UnixMs now) {
  if (paths.empty()) return std::int64_t{0};
  return store.writer().run([&](WriteTxn& txn) -> Result<std::int64_t> {
    SQLite::Statement& mark = txn.prepare(
        "UPDATE clips SET evicted_at = ?1 WHERE sha256 = substr(?2, 4, 64) AND path = ?2 "
        "AND evicted_at IS NULL");
    std::int64_t marked = 0;
    for (const std::string& path : paths) {
      mark.reset();
      mark.bind(1, static_cast<std::int64_t>(now));
      mark.bind(2, path);
      mark.exec();
      marked += txn.changes();
    }
    return marked;
  });
}

}  // namespace driftd::store
