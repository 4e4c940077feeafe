// Why files are only deleted under m_files_mutex, after a fresh database read: an upload
// registers its file as in flight (under the mutex) before writing it and unregisters it
// only after its row has committed. A deleter holding the mutex that sees no upload in
// flight therefore sees, in its read, every row that could refer to the file; and no new
// row can appear until it lets go. So a committed row never loses its file, whether
// eviction, a failed upload or a concurrent upload of the same bytes comes first.

#include "driftd/store/clip_archive.hpp"

#include <set>
#include <unordered_map>
#include <utility>

#include "driftd/store/devices.hpp"
#include "driftd/store/errors.hpp"
#include "driftd/store/store.hpp"
#include "driftd/util/secrets.hpp"

namespace driftd::store {

namespace {

// Bytes of a clip id: 24 hex characters.
constexpr std::size_t k_clip_id_bytes = 12;

ClipRecord record_for(const ClipUpload& upload, std::string_view bytes) {
  ClipRecord c;
  c.clip_id = util::random_hex(k_clip_id_bytes);
  c.device_id = upload.device_id;
  c.model_version = upload.model_version;
  c.timestamp = upload.timestamp;
  c.received = upload.received;
  c.label = upload.label;
  c.confidence = upload.confidence;
  c.result_id = upload.result_id;
  c.sha256 = util::sha256_hex(bytes);
  c.bytes = static_cast<std::int64_t>(bytes.size());
  c.sample_rate_hz = upload.sample_rate_hz;
  c.channels = upload.channels;
  c.duration_ms = upload.duration_ms;
  c.windows = static_cast<std::int64_t>(upload.windows.size());
  c.path = clip_relative_path(c.sha256, upload.extension);
  return c;
}

bool is_extension(std::string_view ext) {
  if (ext.empty() || ext.size() > 8) return false;
  for (char ch : ext) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) return false;
  }
  return true;
}

}  // namespace

// Registers one upload of a file as in flight for its lifetime; on destruction the file
// is released (deleted if nothing uses it, e.g. after a failed or duplicate upload).
class ClipArchive::InFlight {
 public:
  InFlight(ClipArchive& archive, std::string sha256, std::string path)
      : m_archive(archive), m_sha256(std::move(sha256)), m_path(std::move(path)) {
    std::lock_guard lock(m_archive.m_files_mutex);
    ++m_archive.m_in_flight[m_sha256];
  }
  ~InFlight() { m_archive.release_file(m_sha256, m_path, true); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  ClipArchive& m_archive;
  std::string m_sha256;
  std::string m_path;
};

ClipArchive::ClipArchive(Store& store, ClipArchiveOptions options)
    : m_store(store), m_options(std::move(options)), m_files(m_options.dir) {}

Result<std::unique_ptr<ClipArchive>> ClipArchive::open(Store& store, ClipArchiveOptions options,
                                                       util::UnixMs now) {
  std::unique_ptr<ClipArchive> archive(new ClipArchive(store, std::move(options)));
  if (Status started = archive->start(now); !started) return started.error();
  return archive;
}

Status ClipArchive::start(util::UnixMs now) {
  if (Status made = m_files.ensure_dir(); !made) return made;
  auto in_use = clip_files_in_use(m_store);
  if (!in_use) return in_use.error();
  std::unordered_map<std::string, bool> seen;  // path → found on disk
  for (const ClipFileUse& use : *in_use) seen.emplace(use.path, false);

  std::int64_t total = 0;
  std::vector<std::string> orphans;
  auto swept = m_files.sweep([&](const std::string& path, std::uintmax_t size) {
    auto it = seen.find(path);
    if (it == seen.end()) {
      orphans.push_back(path);
      return;
    }
    it->second = true;
    total += static_cast<std::int64_t>(size);
  });
  if (!swept) return swept.error();
  m_start.temp_files_removed = *swept;
  for (const std::string& path : orphans) {
    if (auto removed = m_files.remove(path); removed) ++m_start.orphan_files_removed;
  }
  std::vector<std::string> missing;
  for (const auto& [path, found] : seen) {
    if (!found) missing.push_back(path);
  }
  auto marked = mark_clip_files_evicted(m_store, missing, now);
  if (!marked) return marked.error();
  m_start.rows_missing_file = *marked;
  m_stored_bytes.store(total);

  auto evicted = enforce_quota(now);
  if (!evicted) return evicted.error();
  m_start.eviction = *evicted;
  return Ok{};
}

Status ClipArchive::has_room() const {
  if (Status room = m_store.has_room(); !room) return room;
  return check_free_space(m_files.dir(), Store::k_min_free_bytes,
                          "the clip folder's filesystem (" + m_files.dir().string() + ")");
}

Status ClipArchive::is_writable() const {
  if (Status room = has_room(); !room) return room;
  return m_files.probe_writable();
}

Result<StoredClip> ClipArchive::add(const ClipUpload& upload, std::string_view bytes) {
  if (!is_extension(upload.extension)) {
    return make_error(k_error_invalid, "a clip file needs an extension such as wav", "extension");
  }
  const ClipRecord record = record_for(upload, bytes);
  if (Status valid = check_clip(record); !valid) return valid.error();
  WindowBatch batch{upload.device_id, upload.model_version, WindowSource::clip, record.clip_id,
                    upload.windows};

  if (Status room = has_room(); !room) return room.error();

  Result<StoredClip> stored = make_error(k_error_internal, "clip not stored");
  {
    InFlight in_flight(*this, record.sha256, record.path);
    auto written = m_files.write_once(record.path, bytes);
    if (!written) return written.error();
    if (*written) m_stored_bytes += record.bytes;

    stored = m_store.writer().run([&](WriteTxn& txn) -> Result<StoredClip> {
      if (record.result_id) {
        if (auto existing = find_clip_by_result(txn, record.device_id, *record.result_id)) {
          return StoredClip{existing->clip_id, existing->windows, true,
                            existing->sha256,  existing->path,    {},
                            std::nullopt};
        }
      }
      record_device_activity(txn, DeviceActivity{record.device_id, record.model_version,
                                                 record.timestamp, record.timestamp, 0, 1});
      insert_clip_row(txn, record);
      if (Status windows = record_windows(txn, batch); !windows) return windows.error();
      return StoredClip{record.clip_id, record.windows, false, record.sha256, record.path, {},
                        std::nullopt};
    });
  }  // the file is released here: deleted if the job failed and nothing else uses it

  if (stored && !stored->duplicate && m_stored_bytes.load() > m_options.max_bytes) {
    auto evicted = enforce_quota(upload.received);
    if (evicted) {
      stored->eviction = *evicted;
    } else {
      stored->eviction_error = evicted.error();
    }
  }
  return stored;
}

Result<EvictionReport> ClipArchive::enforce_quota(util::UnixMs now) {
  std::unique_lock running(m_eviction_mutex, std::try_to_lock);
  EvictionReport report;
  if (!running.owns_lock()) return report;
  while (m_stored_bytes.load() > m_options.max_bytes) {
    const std::int64_t excess = m_stored_bytes.load() - m_options.max_bytes;
    const std::size_t max_files = m_options.max_files_per_eviction_job;
    auto released = m_store.writer().run([&](WriteTxn& txn) -> Result<std::vector<ReleasedFile>> {
      return evict_oldest(txn, excess, now, max_files);
    });
    if (!released) return released.error();
    if (released->empty()) {
      report.still_over_quota = true;
      break;
    }
    std::int64_t freed = 0;
    for (const ReleasedFile& file : *released) {
      const std::int64_t removed = release_file(file.sha256, file.path, false);
      if (removed > 0) ++report.files_removed;
      freed += removed;
    }
    report.bytes_freed += freed;
    if (freed <= 0) {  // the released files are all in flight again: stop for now
      report.still_over_quota = true;
      break;
    }
  }
  return report;
}

std::int64_t ClipArchive::release_file(const std::string& sha256, const std::string& path,
                                       bool was_in_flight) {
  std::lock_guard lock(m_files_mutex);
  auto it = m_in_flight.find(sha256);
  if (was_in_flight && it != m_in_flight.end() && --it->second == 0) {
    m_in_flight.erase(it);
    it = m_in_flight.end();
  }
  if (it != m_in_flight.end()) return 0;  // another upload of these bytes is on its way
  auto in_use =
      m_store.read([&](Connection& c) -> Result<bool> { return clip_file_in_use(c, sha256); });
  if (!in_use || *in_use) return 0;  // in use, or unknown: keep the file
  auto removed = m_files.remove(path);
  if (!removed) return 0;
  const auto bytes = static_cast<std::int64_t>(*removed);
  m_stored_bytes -= bytes;
  return bytes;
}

}  // namespace driftd::store
