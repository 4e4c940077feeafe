// Bucket length, bucket starts and the buckets of one evaluation window.

#include "driftd/drift/live_window.hpp"

#include <algorithm>

namespace driftd::drift {

std::int64_t bucket_length_ms(std::chrono::milliseconds window) {
  const std::int64_t share = window.count() / k_buckets_per_window;
  return std::max(k_min_bucket_ms, share / k_min_bucket_ms * k_min_bucket_ms);
}

util::UnixMs bucket_start(util::UnixMs t, std::int64_t bucket_ms) {
  const util::UnixMs q = t / bucket_ms;
  const util::UnixMs floor_q = (t % bucket_ms != 0 && t < 0) ? q - 1 : q;
  return floor_q * bucket_ms;
}

BucketRange evaluation_range(util::UnixMs now, std::chrono::milliseconds window,
                             std::int64_t bucket_ms) {
  const util::UnixMs oldest = now - window.count();
  util::UnixMs first = bucket_start(oldest, bucket_ms);
  if (first < oldest) first += bucket_ms;
  BucketRange range;
  range.last_start = bucket_start(now, bucket_ms);
  range.first_start = std::min(first, range.last_start);
  range.from = range.first_start;
  range.to = now;
  return range;
}

}  // namespace driftd::drift
