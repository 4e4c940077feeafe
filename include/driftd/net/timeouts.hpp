#pragma once
// Every timeout of driftd's outside calls, in one place (Edge Impulse and GitHub).
// Clients pick a pair per call: short for JSON calls, long for uploads and downloads.

#include <chrono>
#include <cstddef>

namespace driftd::net {

// How long establishing a TCP (and TLS) connection may take.
inline constexpr std::chrono::milliseconds k_connect_timeout = std::chrono::seconds(10);
// The whole of one small JSON call: connect, send, wait, receive.
inline constexpr std::chrono::milliseconds k_api_call_timeout = std::chrono::seconds(30);
// The whole of one bulk transfer: a multipart upload of clips, a WAV download.
inline constexpr std::chrono::milliseconds k_transfer_timeout = std::chrono::minutes(5);
// A response body larger than this is refused (the call fails, nothing is kept).
inline constexpr std::size_t k_max_response_bytes = 64 * 1024 * 1024;

// The two limits of one call.
struct Timeouts {
  std::chrono::milliseconds connect;
  std::chrono::milliseconds total;
};

inline constexpr Timeouts k_api_timeouts{k_connect_timeout, k_api_call_timeout};
inline constexpr Timeouts k_transfer_timeouts{k_connect_timeout, k_transfer_timeout};

// The limits a client applies: `api` to JSON calls, `transfer` to uploads and downloads.
// Tests shorten both with uniform().
struct TimeoutPolicy {
  Timeouts api = k_api_timeouts;
  Timeouts transfer = k_transfer_timeouts;

  static constexpr TimeoutPolicy uniform(Timeouts t) { return TimeoutPolicy{t, t}; }
};

}  // namespace driftd::net
