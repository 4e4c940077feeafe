#pragma once
// The clips a retrain run uploads (table retrain_run_clips): chosen once when the run leaves
// `pending`, pinned in the clips table so eviction keeps their files until they are sent,
// uploaded batch by batch, each with the outcome the ingestion service gave it. Which clips
// to choose is the runner's decision (jobs/retrain_policy.hpp); this only keeps it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/store/connection.hpp"
#include "driftd/store/retrain_runs.hpp"
#include "driftd/util/result.hpp"

namespace driftd::store {

class Store;

// One chosen clip.
struct RunClip {
  std::string clip_id;
  int batch = 0;     // upload request it goes in (0, 1, ...)
  int position = 0;  // order of choice
  std::string device_id;
  std::optional<std::string> label;    // the x-label to send; nothing: unlabeled
  std::string file;                    // relative to storage.clips_dir
  std::optional<std::string> outcome;  // ClipOutcome::outcome once known
  std::optional<std::string> detail;
};

// In one transaction with `change`: records `clips` as the run's choice and pins them
// (clips.pinned_by = run id). A clip evicted meanwhile is recorded with outcome "missing".
// Returns how many clips were pinned.
Result<std::int64_t> record_run_clips(Store& store, const std::vector<RunClip>& clips,
                                      const RunChange& change);

// The run's chosen clips, by batch and position.
Result<std::vector<RunClip>> run_clips(Store& store, const std::string& run_id);

// Inside a write job: records what became of some of the run's clips.
void set_clip_outcomes(WriteTxn& txn, const std::string& run_id,
                       const std::vector<ClipOutcome>& outcomes);

// Inside a write job: releases every clip the run pinned (they become evictable again).
void release_run_clips(WriteTxn& txn, const std::string& run_id);

}  // namespace driftd::store
