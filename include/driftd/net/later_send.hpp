#pragma once
// Sending on a socket that one thread owns, from another thread that must never wait for
// the peer. The HTTP server uses it to let the store's writer send an answer right after
// its commit while the connection's own thread waits for the next request.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>

namespace driftd::net {

// Sends all `size` bytes on `fd`, waiting up to `timeout` each time the socket is full.
// False when the socket failed or stayed full that long.
bool send_all(int fd, const char* data, std::size_t size, std::chrono::milliseconds timeout);

// One message for `fd`, sent once by any thread; the socket's owner settles it.
class LaterSend {
 public:
  explicit LaterSend(int fd) : m_fd(fd) {}
  LaterSend(const LaterSend&) = delete;
  LaterSend& operator=(const LaterSend&) = delete;

  // Sends `bytes` without blocking; what the socket does not take now is kept for
  // settle(). Call once. The descriptor is not touched afterwards.
  void send(std::string bytes);

  // The owner's thread: waits for send(), then sends what it kept, waiting up to
  // `timeout` while the socket is full. True when every byte went out. The owner must not
  // close the descriptor, nor write to it, before this returns.
  bool settle(std::chrono::milliseconds timeout);

  // Whether send() has not been called yet.
  bool pending() const { return m_state.load(std::memory_order_acquire) == k_pending; }
  // When send() was called; valid once pending() is false.
  std::chrono::steady_clock::time_point sent_at() const { return m_sent_at; }

 private:
  static constexpr int k_pending = 0;
  static constexpr int k_sent = 1;
  static constexpr int k_left = 2;  // part of it waits in m_left
  static constexpr int k_failed = 3;

  int m_fd;
  std::atomic<int> m_state{k_pending};
  std::string m_left;
  std::chrono::steady_clock::time_point m_sent_at;
};

}  // namespace driftd::net
