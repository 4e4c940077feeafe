// The guard of guarded_server.hpp: a thread pool that notes when each connection was
// accepted and how many wait, a Stream over the socket whose reads stop waiting at the
// header deadline, and the keep-alive loop that cpp-httplib runs around process_request().

#include "guarded_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace driftd::api {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds k_idle_slice{50};  // how often an idle connection looks
constexpr std::size_t k_read_buffer_bytes = 4096;
constexpr std::size_t k_write_buffer_bytes = 16 * 1024;  // responses up to this size: one send

thread_local Clock::time_point t_accepted_at;

// cpp-httplib's thread pool, plus the accept time of each connection (handed to the thread
// that serves it) and a count of the connections still waiting for a thread.
class WorkerPool : public httplib::TaskQueue {
 public:
  WorkerPool(std::size_t threads, std::shared_ptr<std::atomic<int>> waiting)
      : m_waiting(std::move(waiting)) {
    for (std::size_t i = 0; i < threads; ++i) m_threads.emplace_back([this] { work(); });
  }

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(m_mutex);
      m_jobs.push_back({std::move(fn), Clock::now()});
      m_waiting->fetch_add(1);
    }
    m_wake.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard lock(m_mutex);
      m_stopping = true;
    }
    m_wake.notify_all();
    for (auto& t : m_threads) t.join();
  }

 private:
  struct Job {
    std::function<void()> fn;
    Clock::time_point accepted_at;
  };

  void work() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(m_mutex);
        m_wake.wait(lock, [this] { return !m_jobs.empty() || m_stopping; });
        if (m_jobs.empty()) return;  // stopping, and nothing left to serve
        job = std::move(m_jobs.front());
        m_jobs.pop_front();
        m_waiting->fetch_sub(1);
      }
      t_accepted_at = job.accepted_at;
      job.fn();
    }
  }

  std::shared_ptr<std::atomic<int>> m_waiting;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<Job> m_jobs;
  bool m_stopping = false;
  std::vector<std::thread> m_threads;
};

int millis_until(Clock::time_point when) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(when - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

// Waits for `events` on `fd` for at most `timeout_ms`; true when they came.
bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int n = ::poll(&p, 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

struct Address {
  bool known = false;
  std::string ip;
  int port = 0;
};

Address address_of(int fd, bool peer) {
  Address address;
  address.known = true;
  sockaddr_storage addr{};
  socklen_t length = sizeof addr;
  auto* generic = reinterpret_cast<sockaddr*>(&addr);
  if ((peer ? ::getpeername(fd, generic, &length) : ::getsockname(fd, generic, &length)) != 0) {
    return address;
  }
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    address.port = ntohs(v4->sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    address.port = ntohs(v6->sin6_port);
  }
  address.ip = text;
  return address;
}

// The socket as cpp-httplib's Stream. Until headers_complete() a read waits no longer than
// the header deadline; afterwards each read waits up to the read timeout.
class GuardedStream : public httplib::Stream {
 public:
  GuardedStream(int fd, std::chrono::milliseconds read_timeout,
                std::chrono::milliseconds write_timeout)
      : m_fd(fd), m_read_timeout(read_timeout), m_write_timeout(write_timeout) {}

  // `last`: the connection closes after this request.
  void begin_request(Clock::time_point header_deadline, bool last) {
    m_header_deadline = header_deadline;
    m_in_headers = true;
    m_last = last;
  }
  void end_headers() { m_in_headers = false; }
  void end_request() { m_dropping = false; }

  std::shared_ptr<net::LaterSend> answer_later() {
    if (m_last || m_close_after_response) return nullptr;
    m_later = std::make_shared<net::LaterSend>(m_fd);
    m_dropping = true;
    m_pending.clear();
    return m_later;
  }
  // The answer another thread sends for the last request, if any.
  net::LaterSend* later() const { return m_later.get(); }
  // Waits until that answer is out (sending what the socket did not take then); false
  // when it could not be sent.
  bool settle() {
    if (!m_later) return true;
    const bool sent = m_later->settle(m_write_timeout);
    m_later.reset();
    return sent;
  }
  void close_after_response() { m_close_after_response = true; }
  bool closing() const { return m_close_after_response; }
  bool buffered() const { return m_offset < m_size; }

  bool is_readable() const override {
    if (buffered()) return true;
    int wait = static_cast<int>(m_read_timeout.count());
    if (m_in_headers) wait = std::min(wait, millis_until(m_header_deadline));
    return wait_for(m_fd, POLLIN, wait);
  }

  bool is_writable() const override {
    return wait_for(m_fd, POLLOUT, static_cast<int>(m_write_timeout.count()));
  }

  ssize_t read(char* ptr, size_t size) override {
    if (!buffered()) {
      // Whatever was written goes out before waiting for more bytes (Expect: 100-continue).
      if (!flush()) return -1;
      // The bytes are usually there already (the keep-alive loop waited for them): try
      // before polling.
      ssize_t n = receive(MSG_DONTWAIT);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!is_readable()) return -1;
        n = receive(0);
      }
      if (n <= 0) return n;
      m_offset = 0;
      m_size = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, m_size - m_offset);
    std::memcpy(ptr, m_buffer + m_offset, n);
    m_offset += n;
    return static_cast<ssize_t>(n);
  }

  // Collected and sent by flush(): cpp-httplib writes a response's headers and its body
  // separately, and two sends cost two packets and two wake-ups of the client. A write
  // that does not fit is sent after what came before it.
  using httplib::Stream::write;
  ssize_t write(const char* ptr, size_t size) override {
    if (m_dropping) return static_cast<ssize_t>(size);  // answered later, by another thread
    if (m_pending.size() + size > k_write_buffer_bytes) {
      if (!flush()) return -1;
      if (size > k_write_buffer_bytes) {
        return net::send_all(m_fd, ptr, size, m_write_timeout) ? static_cast<ssize_t>(size) : -1;
      }
    }
    m_pending.append(ptr, size);
    return static_cast<ssize_t>(size);
  }

  // Sends what write() collected; false when the socket failed or stayed full for the
  // write timeout (the bytes are dropped: the connection is done).
  bool flush() {
    const bool sent = m_pending.empty() ||
                      net::send_all(m_fd, m_pending.data(), m_pending.size(), m_write_timeout);
    m_pending.clear();
    return sent;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    if (!m_remote.known) m_remote = address_of(m_fd, true);
    ip = m_remote.ip;
    port = m_remote.port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    if (!m_local.known) m_local = address_of(m_fd, false);
    ip = m_local.ip;
    port = m_local.port;
  }
  socket_t socket() const override { return m_fd; }

 private:
  ssize_t receive(int flags) {
    ssize_t n = 0;
    do {
      n = ::recv(m_fd, m_buffer, sizeof m_buffer, flags);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  int m_fd;
  std::chrono::milliseconds m_read_timeout;
  std::chrono::milliseconds m_write_timeout;
  Clock::time_point m_header_deadline;
  bool m_in_headers = false;
  bool m_close_after_response = false;
  bool m_last = false;      // the connection closes after this request
  bool m_dropping = false;  // this request is answered later: its writes are dropped
  std::shared_ptr<net::LaterSend> m_later;
  char m_buffer[k_read_buffer_bytes];
  std::size_t m_offset = 0;
  std::size_t m_size = 0;
  std::string m_pending;     // written, not yet sent
  mutable Address m_remote;  // looked up once per connection
  mutable Address m_local;
};

thread_local GuardedStream* t_stream = nullptr;

std::chrono::milliseconds to_millis(time_t sec, time_t usec) {
  return std::chrono::milliseconds(sec * 1000 + usec / 1000);
}

}  // namespace

GuardedServer::GuardedServer(int threads) : m_waiting(std::make_shared<std::atomic<int>>(0)) {
  const auto count = static_cast<std::size_t>(std::max(1, threads));
  new_task_queue = [count, waiting = m_waiting] { return new WorkerPool(count, waiting); };
}

void GuardedServer::headers_complete() {
  if (t_stream != nullptr) t_stream->end_headers();
}

void GuardedServer::close_after_response() {
  if (t_stream != nullptr) t_stream->close_after_response();
}

std::shared_ptr<net::LaterSend> GuardedServer::answer_later() {
  return t_stream != nullptr ? t_stream->answer_later() : nullptr;
}

bool GuardedServer::next_request_arrives(socket_t sock) const {
  const auto give_up = Clock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
  // A client that goes on sending does so within moments of its answer: it keeps its
  // thread, even while others wait. (Yielding at once would cut off the request it is
  // sending at that moment.) An answer another thread has yet to send keeps the
  // connection in use, and the moments count from when it went out.
  for (;;) {
    net::LaterSend* later = t_stream != nullptr ? t_stream->later() : nullptr;
    if (later != nullptr && !later->pending()) {
      const auto sent_at = later->sent_at();
      if (!t_stream->settle()) return false;
      if (wait_for(sock, POLLIN, millis_until(sent_at + k_keep_grace))) return true;
      break;
    }
    if (wait_for(sock, POLLIN, static_cast<int>(k_keep_grace.count()))) return true;
    if (later == nullptr) break;
  }
  while (svr_sock_ != INVALID_SOCKET && m_waiting->load() == 0) {
    const int slice = std::min<int>(static_cast<int>(k_idle_slice.count()), millis_until(give_up));
    if (wait_for(sock, POLLIN, slice)) return true;
    if (Clock::now() >= give_up) return false;
  }
  return false;
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  GuardedStream stream(sock, to_millis(read_timeout_sec_, read_timeout_usec_),
                       to_millis(write_timeout_sec_, write_timeout_usec_));
  t_stream = &stream;
  bool ok = false;
  Clock::time_point started = t_accepted_at;
  bool first = true;
  for (std::size_t left = std::max<std::size_t>(1, keep_alive_max_count_);
       left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
    if (!first) {
      if (!stream.buffered() && !next_request_arrives(sock)) break;
      started = Clock::now();
    }
    // A pipelined request waits for the answer before it, sent by another thread.
    if (!stream.settle()) {
      ok = false;
      break;
    }
    first = false;
    stream.begin_request(started + k_header_deadline, left == 1);
    bool closed = false;
    ok = process_request(stream, left == 1, closed, nullptr);
    stream.end_request();
    if (!stream.flush()) ok = false;
    if (!ok || closed || stream.closing()) break;
  }
  // An answer still being made goes out before the socket closes (and is never sent to
  // another connection that reuses the descriptor).
  if (!stream.settle()) ok = false;
  t_stream = nullptr;
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace driftd::api
