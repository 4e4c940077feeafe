#pragma once
// Re-binning: after the applicable reference of a model version changed (drift_binning.hpp),
// its windows stored before the change are binned again with the new reference, in
// bounded batches, so that every bucket an evaluation reads shares one reference.
//
// The windows to re-bin are those with an id up to the state's switched_at_id (later ones
// were binned as they arrived) whose unit — a clip, or a result's device windows — starts
// at or after `from` (the oldest bucket of the evaluation window at the time the
// re-binning starts). They are read in id order on a read connection, where a unit's
// windows are consecutive rows, and added in one write job per batch that also advances
// the cursor; a batch whose state moved on meanwhile (another change of reference) is
// dropped. So a restart resumes where the last committed batch ended.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/store/drift_binning.hpp"
#include "driftd/store/drift_buckets.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;

// Windows per re-binning batch, by default.
inline constexpr std::size_t k_rebin_batch_windows = 5000;

// Starts the pending re-binning of `state` at `from` (a write job): sets rebin_from and the
// cursor before the first unit starting at or after `from`, or ends it at once when there
// is nothing to re-bin. Returns the state as it now is (unchanged when it was not pending,
// already started or moved on).
Result<BinningState> start_rebin(Store& store, const BinningState& state, util::UnixMs from);

// One batch of whole units to re-bin.
struct RebinBatch {
  std::string model_version;
  std::int64_t epoch = 0;
  std::int64_t from_cursor = 0;  // the state's cursor when read
  std::int64_t to_cursor = 0;    // the cursor after this batch
  bool last = false;             // nothing left after this batch
  std::vector<BucketUnit> units;
  std::int64_t windows = 0;
};

// Reads the next batch of a started re-binning (about `max_windows` windows, never a unit
// cut in two).
Result<RebinBatch> read_rebin_batch(Store& store, const BinningState& state,
                                    std::size_t max_windows = k_rebin_batch_windows);

// Adds a batch to the buckets and advances the cursor in one write job. Returns the new
// state, or nothing when the state moved on and the batch was dropped.
Result<std::optional<BinningState>> apply_rebin_batch(Store& store, const RebinBatch& batch);

// What rebin_model_version() did.
struct RebinProgress {
  bool done = false;  // nothing pending any more (or the state moved on)
  std::int64_t batches = 0;
  std::int64_t windows = 0;
};

// Starts (at `from`) and runs the pending re-binning of `model_version` for at most
// `max_batches` batches.
Result<RebinProgress> rebin_model_version(Store& store, std::string_view model_version,
                                          util::UnixMs from, std::size_t max_batches,
                                          std::size_t batch_windows = k_rebin_batch_windows);

}  // namespace driftd::store
