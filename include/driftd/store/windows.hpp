#pragma once
// The raw per-window drift data: one row per analysed audio window, from a stored clip or
// computed on the device and sent with a result. Each row holds the window's drift
// feature vector (audio::drift_features(): the mean of each mfcc_raw coefficient, then
// rms_dbfs) for re-binning and offline analysis.
//
// record_windows() is the single place windows are written: clip ingest and results with
// device-computed features both call it inside their own write job, so a window is stored
// exactly when the clip or result that carries it is.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/store/connection.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;

enum class WindowSource { clip, device };

// "clip" or "device".
std::string_view window_source_name(WindowSource source);

// One window: when it was heard and its drift features.
struct FeatureWindow {
  util::UnixMs timestamp = 0;  // clip timestamp + window start; a result's timestamp
  std::vector<double> values;  // num_cepstral + 1, finite
};

// Windows that share a device, a model version and an origin.
struct WindowBatch {
  std::string device_id;      // ids.hpp rule; the device's row must exist
  std::string model_version;  // ids.hpp rule
  WindowSource source = WindowSource::clip;
  std::optional<std::string> clip_id;  // set exactly when source is clip
  std::vector<FeatureWindow> windows;  // all of the same length (at least 1 value)
};

// Inside a write job: stores every window of `batch`. Refuses (invalid_argument, with the
// index of the offending window when there is one) a batch whose ids are invalid, whose
// clip_id does not match its source, or whose windows differ in length, are empty or hold
// a non-finite value; nothing is written then. An empty batch writes nothing. Throws on
// SQLite errors (the writer turns them into typed errors).
Status record_windows(WriteTxn& txn, const WindowBatch& batch);

// A stored window as read back.
struct StoredWindow {
  std::string device_id;
  std::string model_version;
  util::UnixMs timestamp = 0;
  WindowSource source = WindowSource::clip;
  std::optional<std::string> clip_id;
  std::vector<double> values;
};

// Which windows to read: one model version, optionally one device, timestamps in
// [from, to).
struct WindowQuery {
  std::string model_version;
  std::optional<std::string> device_id;
  util::UnixMs from = 0;
  util::UnixMs to = 0;
};

// Calls `visit` for every window matching `query`, by timestamp (then storage order),
// without holding them all in memory. The read sees one consistent snapshot.
Status for_each_window(Store& store, const WindowQuery& query,
                       const std::function<void(const StoredWindow&)>& visit);

// The windows matching `query`, in the order of for_each_window().
Result<std::vector<StoredWindow>> read_windows(Store& store, const WindowQuery& query);

// Deletes the windows heard before `cutoff`, model version by model version and
// `batch_rows` per write job so other writes interleave. The newest window is always kept,
// even when it is older: window ids only grow (re-binning counts on it), and SQLite would
// hand out an emptied table's ids again. Returns the rows deleted.
Result<std::int64_t> delete_windows_before(Store& store, util::UnixMs cutoff,
                                           std::int64_t batch_rows = 5000);

// The storage form of a feature vector: each value as a little-endian IEEE float64.
std::string encode_feature_blob(const std::vector<double>& values);
// The inverse; nothing when `blob`'s length is not a positive multiple of 8.
std::optional<std::vector<double>> decode_feature_blob(std::string_view blob);

}  // namespace driftd::store
