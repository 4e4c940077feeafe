#pragma once
// Stored clips as a whole: the content-addressed files under storage.clips_dir
// (clip_files.hpp), their rows (clips.hpp) and their windows (windows.hpp), kept
// consistent with each other and within the storage.clips_max_bytes quota.
//
// Adding a clip: its file is written (atomically, shared with earlier uploads of the same
// bytes), then one write job stores the clip row, its windows and the device's activity;
// if that job fails, the file is removed unless another row uses it. So a committed row
// always has its file, and a failed upload leaves nothing behind.
//
// Files are reference-counted by rows: a file is deleted only when no unevicted row
// refers to it and no upload of the same bytes is in flight. Eviction (oldest clips by
// receipt first, never a file any row pins) keeps the bytes on disk within the quota; it
// runs after each added clip that crosses the quota, on the calling thread, so the answer
// to that upload is sent once the quota holds again. The archive keeps a running total of
// the bytes on disk (counted once at open, then updated as files come and go), so no
// request sums the table.
//
// Thread-safe: request threads add clips concurrently.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "driftd/store/clip_files.hpp"
#include "driftd/store/clips.hpp"
#include "driftd/store/windows.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;

struct ClipArchiveOptions {
  std::filesystem::path dir;                     // storage.clips_dir
  std::int64_t max_bytes = 5368709120LL;         // storage.clips_max_bytes
  std::size_t max_files_per_eviction_job = 500;  // bounds one eviction write job
};

// A clip to store: what the request said, what the decoder found, and its windows.
struct ClipUpload {
  std::string device_id;
  std::string model_version;
  util::UnixMs timestamp = 0;  // the device's time, or receipt time
  util::UnixMs received = 0;
  std::optional<std::string> label;
  std::optional<double> confidence;
  std::optional<std::string> result_id;
  std::string extension;  // of the stored file, from its container: "wav", "flac"
  int sample_rate_hz = 0;
  int channels = 0;
  std::int64_t duration_ms = 0;
  // The clip's drift feature vectors; timestamps are absolute (clip timestamp + start).
  std::vector<FeatureWindow> windows;
};

// What eviction did.
struct EvictionReport {
  std::int64_t files_removed = 0;
  std::int64_t bytes_freed = 0;
  bool still_over_quota = false;  // everything left is pinned (or in flight)
};

struct StoredClip {
  std::string clip_id;
  std::int64_t windows = 0;
  // True when (device_id, result_id) was already stored: that clip is answered and
  // nothing new is stored or counted.
  bool duplicate = false;
  std::string sha256;
  std::string path;  // relative to the clip folder
  // Eviction run after this clip crossed the quota (empty report when none ran), or its
  // error (the clip itself is stored either way).
  EvictionReport eviction;
  std::optional<Error> eviction_error;
};

// What opening found on disk.
struct ArchiveStartReport {
  std::size_t temp_files_removed = 0;    // left by a crash mid-write
  std::size_t orphan_files_removed = 0;  // clip files no unevicted row refers to
  std::int64_t rows_missing_file = 0;    // unevicted rows whose file was gone: now evicted
  EvictionReport eviction;               // the quota applied at start
};

class ClipArchive {
 public:
  // Creates the clip folder if missing, removes leftover temp files and orphan clip
  // files, marks rows whose file is gone as evicted, counts the bytes on disk and applies
  // the quota. storage_unavailable when the folder cannot be created or read.
  static Result<std::unique_ptr<ClipArchive>> open(Store& store, ClipArchiveOptions options,
                                                   util::UnixMs now);

  ClipArchive(const ClipArchive&) = delete;
  ClipArchive& operator=(const ClipArchive&) = delete;

  const ArchiveStartReport& start_report() const { return m_start; }

  // Stores `bytes` (kept exactly as given) with `upload`, as described above.
  // invalid_argument for an upload the store cannot keep (nothing is written then),
  // storage_unavailable for I/O or database failures (nothing is left then either).
  Result<StoredClip> add(const ClipUpload& upload, std::string_view bytes);

  // The reserve of both filesystems a clip is written to: the database's (Store::has_room)
  // and the clip folder's, which must keep Store::k_min_free_bytes free too.
  Status has_room() const;

  // Readiness: has_room(), and a file can be created in the clip folder (a read-only
  // folder answers storage_unavailable with the system's reason).
  Status is_writable() const;

  // Evicts until the bytes on disk are within the quota or only pinned files are left.
  // At most one eviction runs at a time; a call while another runs returns at once.
  Result<EvictionReport> enforce_quota(util::UnixMs now);

  // Bytes of the clip files on disk now (driftd_clips_stored_bytes).
  std::int64_t stored_bytes() const { return m_stored_bytes.load(); }
  std::int64_t max_bytes() const { return m_options.max_bytes; }

  // The absolute path of a clip's file (which exists unless the clip is evicted).
  std::filesystem::path file_path(const ClipRecord& clip) const {
    return m_files.absolute(clip.path);
  }

 private:
  class InFlight;

  ClipArchive(Store& store, ClipArchiveOptions options);
  Status start(util::UnixMs now);
  // Ends one in-flight upload of the file (when `was_in_flight`), then deletes the file
  // unless an upload of it is still in flight or an unevicted row uses it. Returns the
  // bytes deleted (0 when kept).
  std::int64_t release_file(const std::string& sha256, const std::string& path, bool was_in_flight);

  Store& m_store;
  ClipArchiveOptions m_options;
  ClipFiles m_files;
  ArchiveStartReport m_start;
  std::atomic<std::int64_t> m_stored_bytes{0};

  std::mutex m_files_mutex;                          // guards m_in_flight and every file deletion
  std::unordered_map<std::string, int> m_in_flight;  // sha256 → uploads between write and commit
  std::mutex m_eviction_mutex;                       // one eviction at a time
};

}  // namespace driftd::store
