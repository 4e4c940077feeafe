#include "driftd/api/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace driftd::api {

int RateLimiter::acquire(std::int64_t key, Clock::time_point now) {
  if (m_rate <= 0) return 0;
  const double burst = std::max(1.0, m_rate);
  std::lock_guard lock(m_mutex);
  auto [it, inserted] = m_buckets.try_emplace(key, Bucket{burst, now});
  Bucket& b = it->second;
  if (!inserted) {
    double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst, b.tokens + std::max(0.0, elapsed) * m_rate);
    b.updated = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  double wait = (1.0 - b.tokens) / m_rate;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

}  // namespace driftd::api
