#include "driftd/net/later_send.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace driftd::net {

namespace {

bool wait_writable(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLOUT, 0};
  for (;;) {
    const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

// Sends what the socket takes now; the number of bytes sent, or -1 when it failed.
long send_now(int fd, const char* data, std::size_t size) {
  std::size_t sent = 0;
  while (sent < size) {
    const ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      break;
    } else if (errno != EINTR) {
      return -1;
    }
  }
  return static_cast<long>(sent);
}

}  // namespace

bool send_all(int fd, const char* data, std::size_t size, std::chrono::milliseconds timeout) {
  for (;;) {
    const long n = send_now(fd, data, size);
    if (n < 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
    if (size == 0) return true;
    if (!wait_writable(fd, timeout)) return false;
  }
}

void LaterSend::send(std::string bytes) {
  const long n = send_now(m_fd, bytes.data(), bytes.size());
  int state = k_sent;
  if (n < 0) {
    state = k_failed;
  } else if (static_cast<std::size_t>(n) < bytes.size()) {
    m_left = bytes.substr(static_cast<std::size_t>(n));
    state = k_left;
  }
  m_sent_at = std::chrono::steady_clock::now();
  m_state.store(state, std::memory_order_release);
  m_state.notify_all();
}

bool LaterSend::settle(std::chrono::milliseconds timeout) {
  int state = m_state.load(std::memory_order_acquire);
  while (state == k_pending) {
    m_state.wait(k_pending, std::memory_order_acquire);
    state = m_state.load(std::memory_order_acquire);
  }
  if (state == k_left) {
    state = send_all(m_fd, m_left.data(), m_left.size(), timeout) ? k_sent : k_failed;
    m_left.clear();
    m_state.store(state, std::memory_order_relaxed);
  }
  return state == k_sent;
}

}  // namespace driftd::net
