#pragma once
// Pre-binned drift buckets (migration 0005, table drift_buckets): per (model version,
// device, time bucket) the windows binned with the model version's reference — as one
// compact drift::SampleCounts — and the prediction statistics of the results (label
// counts, confidence sum and sum of squares). They are written in the same write job as
// the data they summarise, so a stored clip or result is counted exactly once, and an
// evaluation reads the buckets of its window only: its cost depends on devices × buckets
// in the window, never on how much data is stored (docs/drift.md, "Live engine").
//
// Units: a clip's windows (or a result's device-computed windows) are one unit for the
// design effect and go, whole, to the bucket of their first window's timestamp.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/drift/compact_counts.hpp"
#include "driftd/drift/prediction_units.hpp"
#include "driftd/drift/reference.hpp"
#include "driftd/stats/moments.hpp"
#include "driftd/store/connection.hpp"
#include "driftd/store/drift_binning.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;
struct WindowBatch;

// Inside the write job that stores `batch` (record_windows(), before its rows are
// inserted): bins the batch's windows, as one unit, with the applicable reference of its
// model version and adds them to their bucket. Throws on SQLite errors.
Status accumulate_windows(WriteTxn& txn, const WindowBatch& batch);

// One stored result as the buckets see it; `Text` std::string_view (a view of a record held
// elsewhere) or std::string (a row read back, results.hpp).
template <typename Text>
struct BasicResultPrediction {
  Text device_id;
  Text model_version;
  util::UnixMs timestamp = 0;
  Text label;
  double confidence = 0;
};
using ResultPrediction = BasicResultPrediction<std::string_view>;

// Inside a write job: makes sure each model version of `results` has its drift state
// (drift_binning.hpp, ensure_binning), first seen no later than its earliest result.
void note_result_versions(WriteTxn& txn, std::span<const ResultPrediction> results);

// Inside a write job (results.hpp, sync_result_aggregates): note_result_versions(), then
// adds each result's label and confidence to its bucket. Throws on SQLite errors.
void accumulate_results(WriteTxn& txn, std::span<const ResultPrediction> results);

// One unit of windows to add to a bucket (used by re-binning).
struct BucketUnit {
  std::string device_id;
  util::UnixMs timestamp = 0;                // of its first window
  std::vector<std::vector<double>> windows;  // drift feature vectors
};

// Inside a write job: adds `unit` to its bucket for `state` (binned with `reference`, or
// only counted when it is null). Throws on SQLite errors.
Status add_unit(WriteTxn& txn, const BinningState& state, const drift::Reference* reference,
                const EngineSettings& settings, const BucketUnit& unit);

// What an evaluation needs of one device's buckets in its window.
struct DeviceBuckets {
  std::string device_id;
  drift::SampleSum counts;      // the windows binned with the epoch's reference
  std::int64_t windows = 0;     // windows of the epoch (also without a reference)
  std::int64_t clips = 0;       // units of the epoch
  drift::LabelClusters labels;  // one cluster per bucket
  stats::Moments confidence;
};

struct WindowBuckets {
  std::vector<DeviceBuckets> devices;  // by device id
  std::int64_t rows_read = 0;          // bucket rows the query returned
};

// The buckets of one model version whose start lies in [first_start, last_start];
// window statistics only from rows of `epoch`, predictions from every row.
struct BucketQuery {
  std::string model_version;
  util::UnixMs first_start = 0;
  util::UnixMs last_start = 0;
  std::int64_t epoch = 0;
  std::optional<std::string> device_id;  // only this device
};

Result<WindowBuckets> read_buckets(Store& store, const BucketQuery& query);

// Whether the model version has any bucket starting in [first_start, last_start].
Result<bool> has_buckets(Store& store, std::string_view model_version, util::UnixMs first_start,
                         util::UnixMs last_start);

// The start of the model version's oldest bucket holding results; nothing without any.
Result<std::optional<util::UnixMs>> first_results_bucket(Store& store,
                                                         std::string_view model_version);

// Deletes buckets that start before `cutoff`, `batch_rows` per write job. Returns the rows
// deleted.
Result<std::int64_t> delete_buckets_before(Store& store, util::UnixMs cutoff,
                                           std::int64_t batch_rows = 5000);

}  // namespace driftd::store
