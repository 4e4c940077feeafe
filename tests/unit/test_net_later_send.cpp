// net::LaterSend on a real socket pair: a message sent by one thread while another owns
// the socket, kept whole when the socket is full, in order, and never lost or doubled.
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "driftd/net/later_send.hpp"

using driftd::net::LaterSend;
using namespace std::chrono_literals;

namespace {

struct SocketPair {
  int ours = -1;
  int peer = -1;
  SocketPair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    ours = fds[0];
    peer = fds[1];
    const int small = 4096;
    ::setsockopt(ours, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  }
  ~SocketPair() {
    if (ours >= 0) ::close(ours);
    if (peer >= 0) ::close(peer);
  }
  // Fills our side until the socket takes no more; the bytes written.
  std::size_t fill() {
    const std::string chunk(1024, 'f');
    std::size_t total = 0;
    for (;;) {
      const ssize_t n = ::send(ours, chunk.data(), chunk.size(), MSG_DONTWAIT);
      if (n <= 0) return total;
      total += static_cast<std::size_t>(n);
    }
  }
  // Reads `size` bytes from the peer side.
  std::string read(std::size_t size) {
    std::string out;
    char buffer[8192];
    while (out.size() < size) {
      const ssize_t n = ::read(peer, buffer, std::min(sizeof buffer, size - out.size()));
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }
};

std::string message(std::size_t size) {
  std::string m(size, '\0');
  for (std::size_t i = 0; i < size; ++i) m[i] = static_cast<char>('a' + i % 26);
  return m;
}

}  // namespace

TEST_CASE("a message sent by another thread is out once the owner settles it") {
  SocketPair pair;
  LaterSend later(pair.ours);
  CHECK(later.pending());
  std::thread sender([&] {
    std::this_thread::sleep_for(30ms);
    later.send("HTTP/1.1 202 Accepted\r\n\r\n");
  });
  CHECK(later.settle(1s));  // waits for the sender
  sender.join();
  CHECK_FALSE(later.pending());
  CHECK(pair.read(25) == "HTTP/1.1 202 Accepted\r\n\r\n");
}

TEST_CASE("what a full socket does not take is sent by the owner, whole and in order") {
  SocketPair pair;
  const std::size_t before = pair.fill();
  REQUIRE(before > 0);
  const std::string big = message(200'000);
  LaterSend later(pair.ours);
  later.send(big);  // returns at once: the socket is full
  CHECK_FALSE(later.pending());
  std::string received;
  std::thread reader([&] { received = pair.read(before + big.size()); });
  CHECK(later.settle(5s));
  reader.join();
  REQUIRE(received.size() == before + big.size());
  CHECK(received.substr(0, before) == std::string(before, 'f'));
  CHECK(received.substr(before) == big);
}

TEST_CASE("a message for a socket whose peer is gone fails without a signal") {
  SocketPair pair;
  ::close(pair.peer);
  pair.peer = -1;
  LaterSend later(pair.ours);
  later.send("lost");
  CHECK_FALSE(later.settle(1s));
}

TEST_CASE("what stays unsent past the timeout fails the settle") {
  SocketPair pair;
  pair.fill();
  LaterSend later(pair.ours);
  later.send(message(10'000));
  const auto started = std::chrono::steady_clock::now();
  CHECK_FALSE(later.settle(100ms));  // nobody reads
  CHECK(std::chrono::steady_clock::now() - started >= 100ms);
}
