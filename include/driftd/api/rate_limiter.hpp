#pragma once
// Per-key token buckets: `rate` requests per second with a burst of one second's worth.
// Time is an argument, so the policy is testable without sleeping. Thread-safe.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace driftd::api {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // `rate` <= 0 disables limiting (every call is allowed).
  explicit RateLimiter(double rate) : m_rate(rate) {}

  // Takes one token for `key`. Returns 0 when allowed, else the seconds to wait before
  // a token is available (at least 1, for Retry-After).
  int acquire(std::int64_t key, Clock::time_point now);

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  double m_rate;
  std::mutex m_mutex;
  std::unordered_map<std::int64_t, Bucket> m_buckets;
};

}  // namespace driftd::api
