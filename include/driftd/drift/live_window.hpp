#pragma once
// The time geometry of the live drift engine (docs/drift.md, "Live engine"): how long a
// pre-binned bucket is, which bucket a timestamp falls in, and which buckets an evaluation
// at `now` reads. Pure: time enters as an argument.
//
// A bucket is drift.window / 24, floored to whole minutes and at least one minute (1 h for
// the default 24 h window). An evaluation at `now` reads the buckets whose start lies in
// [now − window, now]: its data covers between window − bucket and window, never anything
// older than now − window. Bucket starts are multiples of the bucket length since the Unix
// epoch, so every process agrees on them.

#include <chrono>
#include <cstdint>

#include "driftd/util/time.hpp"

namespace driftd::drift {

inline constexpr std::int64_t k_min_bucket_ms = 60'000;
inline constexpr std::int64_t k_buckets_per_window = 24;

// window / 24 floored to whole minutes, at least one minute.
std::int64_t bucket_length_ms(std::chrono::milliseconds window);

// The start of the bucket holding `t` (floor division, also for negative times).
util::UnixMs bucket_start(util::UnixMs t, std::int64_t bucket_ms);

// The buckets an evaluation reads and the window it reports.
struct BucketRange {
  util::UnixMs first_start = 0;  // the oldest bucket start read (≥ now − window)
  util::UnixMs last_start = 0;   // the newest (the bucket holding `now`)
  util::UnixMs from = 0;         // reported window start: first_start
  util::UnixMs to = 0;           // reported window end: now
};

// The buckets with a start in [now − window, now] (above).
BucketRange evaluation_range(util::UnixMs now, std::chrono::milliseconds window,
                             std::int64_t bucket_ms);

}  // namespace driftd::drift
