#pragma once
// The clips table: one row per stored clip upload, with what is known about the clip and
// where its file lives. Rows are never deleted: eviction removes the file and sets
// evicted_at, so counts and the windows' clip_id stay meaningful. Rows with the same
// sha256 share one file. A row pinned by a retrain run (pinned_by) is never evicted.
//
// Clip ingest as a whole (file, row, windows, quota) is ClipArchive (clip_archive.hpp);
// this header holds the row-level pieces it and the retrain runner use.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/store/connection.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;

struct ClipRecord {
  std::string clip_id;         // random hex, unique
  std::string device_id;       // ids.hpp rule
  std::string model_version;   // ids.hpp rule
  util::UnixMs timestamp = 0;  // the device's time, or receipt time
  util::UnixMs received = 0;
  std::optional<std::string> label;      // 1-128 characters when present
  std::optional<double> confidence;      // finite, in [0, 1] when present
  std::optional<std::string> result_id;  // (device_id, result_id) of a result; unique per device
  std::string sha256;                    // of the file's bytes, lowercase hex
  std::int64_t bytes = 0;                // file size
  int sample_rate_hz = 0;                // of the file as uploaded
  int channels = 0;                      // of the file as uploaded
  std::int64_t duration_ms = 0;          // of the audio as uploaded
  std::int64_t windows = 0;              // analysed windows (rows in window_features)
  std::string path;                      // relative to storage.clips_dir (clip_files.hpp)
  std::optional<std::string> pinned_by;  // retrain run id that needs the file
  std::optional<util::UnixMs> evicted_at;
};

// invalid_argument (with `field`) unless `clip` is a row the table can keep.
Status check_clip(const ClipRecord& clip);

// Inside a write job: the clip of (device_id, result_id), if one is stored.
std::optional<ClipRecord> find_clip_by_result(WriteTxn& txn, std::string_view device_id,
                                              std::string_view result_id);

// Inside a write job: inserts `clip` (check_clip() first). Throws on SQLite errors,
// e.g. a clip_id or (device_id, result_id) already stored.
void insert_clip_row(WriteTxn& txn, const ClipRecord& clip);

// A file that eviction released: no unevicted row refers to it any more.
struct ReleasedFile {
  std::string sha256;
  std::string path;
  std::int64_t bytes = 0;
};

// Inside a write job: evicts the oldest clips (by receipt) until files of at least
// `bytes_to_free` bytes are released or `max_files` files were. A file is released as a
// whole: every unevicted row sharing it gets evicted_at = `now`; a file that any
// unevicted row pins is skipped. Returns the released files (whose bytes the caller
// removes from disk).
std::vector<ReleasedFile> evict_oldest(WriteTxn& txn, std::int64_t bytes_to_free, util::UnixMs now,
                                       std::size_t max_files);

// Whether an unevicted row refers to the file of `sha256` (read on `connection`).
bool clip_file_in_use(Connection& connection, std::string_view sha256);

// Inside a write job: sets pinned_by = `run_id` on the listed clips that still have their
// file and are not pinned by another run. Returns how many rows are now pinned by `run_id`
// among `clip_ids`.
std::int64_t pin_clips(WriteTxn& txn, std::string_view run_id,
                       const std::vector<std::string>& clip_ids);

// Inside a write job: clears every pin of `run_id`; the clips become evictable again.
// Returns the rows unpinned.
std::int64_t unpin_clips(WriteTxn& txn, std::string_view run_id);

// The clip `clip_id`, or nothing.
Result<std::optional<ClipRecord>> find_clip(Store& store, std::string_view clip_id);

// Which clips to list: one model version (empty: all), optionally one device, timestamps in
// [from, to), newest first, at most `limit`.
struct ClipQuery {
  std::string model_version;
  std::optional<std::string> device_id;
  util::UnixMs from = 0;
  util::UnixMs to = std::numeric_limits<util::UnixMs>::max();
  bool with_file_only = true;  // skip evicted clips
  std::size_t limit = 1000;
};

Result<std::vector<ClipRecord>> list_clips(Store& store, const ClipQuery& query);

// Every file unevicted rows refer to, with its size as recorded: (path, bytes), one entry
// per distinct path.
struct ClipFileUse {
  std::string path;
  std::int64_t bytes = 0;
};
Result<std::vector<ClipFileUse>> clip_files_in_use(Store& store);

// Marks every unevicted row of the files at `paths` evicted at `now` (their files are
// gone), in one write job. Returns the rows marked.
Result<std::int64_t> mark_clip_files_evicted(Store& store, const std::vector<std::string>& paths,
                                             util::UnixMs now);

}  // namespace driftd::store
