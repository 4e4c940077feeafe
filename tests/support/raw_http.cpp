#include "support/raw_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <functional>

namespace driftd::test {

namespace {

int connect_loopback(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

// What `fd` receives until the peer closes, `timeout` passes, or done(bytes so far) is true.
std::string read_until(int fd, std::chrono::milliseconds timeout,
                       const std::function<bool(const std::string&)>& done) {
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[16384];
  while (!done(out)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

std::string read_until_closed(int fd, std::chrono::milliseconds timeout) {
  return read_until(fd, timeout, [](const std::string&) { return false; });
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

std::string dechunk(const std::string& body) {
  std::string out;
  std::size_t at = 0;
  while (at < body.size()) {
    const std::size_t eol = body.find("\r\n", at);
    if (eol == std::string::npos) break;
    const std::size_t size = std::strtoul(body.substr(at, eol - at).c_str(), nullptr, 16);
    if (size == 0) break;
    out += body.substr(eol + 2, size);
    at = eol + 2 + size + 2;
  }
  return out;
}

}  // namespace

RawResponse parse_raw_response(const std::string& bytes) {
  RawResponse r;
  const std::size_t head_end = bytes.find("\r\n\r\n");
  if (bytes.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) return r;
  const std::size_t line_end = bytes.find("\r\n");
  const std::string status_line = bytes.substr(0, line_end);
  const std::size_t space = status_line.find(' ');
  if (space == std::string::npos) return r;
  r.status = std::atoi(status_line.c_str() + space + 1);
  r.received = r.status > 0;
  std::size_t at = line_end + 2;
  while (at < head_end) {
    const std::size_t eol = bytes.find("\r\n", at);
    const std::string line = bytes.substr(at, eol - at);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      r.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    }
    at = eol + 2;
  }
  r.body = bytes.substr(head_end + 4);
  if (lower(r.headers["transfer-encoding"]).find("chunked") != std::string::npos) {
    r.body = dechunk(r.body);
  }
  return r;
}

RawResponse raw_exchange(int port, const std::string& request, std::chrono::milliseconds timeout) {
  const int fd = connect_loopback(port);
  if (fd < 0) return {};
  std::string answer;
  // A server may answer (and close) before the whole request is sent, e.g. when it refuses
  // a body by its declared size: the answer is still read.
  send_all(fd, request);
  ::shutdown(fd, SHUT_WR);
  answer = read_until_closed(fd, timeout);
  ::close(fd);
  return parse_raw_response(answer);
}

RawConnection::RawConnection(int port) : m_fd(connect_loopback(port)) {}

RawConnection::~RawConnection() {
  if (m_fd >= 0) ::close(m_fd);
}

bool RawConnection::send(const std::string& bytes) {
  return m_fd >= 0 && send_all(m_fd, bytes);
}

bool RawConnection::closed_by_peer(std::chrono::milliseconds wait) {
  if (m_fd < 0) return true;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{m_fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    char buffer[4096];
    const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno != EAGAIN && errno != EWOULDBLOCK;
    }
    // Bytes of an earlier answer: read past them to see whether the end follows.
  }
}

std::string RawConnection::read_all(std::chrono::milliseconds timeout) {
  return m_fd >= 0 ? read_until_closed(m_fd, timeout) : std::string();
}

std::string RawConnection::read_response(std::chrono::milliseconds timeout) {
  if (m_fd < 0) return {};
  // Whole once the headers have ended and Content-Length body bytes followed them.
  const auto whole = [](const std::string& bytes) {
    const std::size_t end = bytes.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    const std::string head = lower(bytes.substr(0, end));
    std::size_t length = 0;
    if (const std::size_t at = head.find("content-length:"); at != std::string::npos) {
      length = std::stoul(head.substr(at + 15));
    }
    return bytes.size() >= end + 4 + length;
  };
  return read_until(m_fd, timeout, whole);
}

}  // namespace driftd::test
