// The real daemon under clients that misbehave in time rather than in content: headers sent
// one byte at a time (slowloris) and idle keep-alive connections must not keep a normal
// client from being served (src/api/guarded_server.hpp), and a device over its rate limit
// gets 429 with Retry-After while other devices go on.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <optional>
#include <thread>

#include "support/daemon_process.hpp"
#include "support/http_helpers.hpp"
#include "support/raw_http.hpp"

using namespace driftd::test;
using nlohmann::json;

namespace {

constexpr int k_threads = 2;
constexpr int k_slow_clients = 2 * k_threads;

json result(const std::string& device, int n) {
  return {{"device_id", device},
          {"model_version", "12"},
          {"label", "crying"},
          {"confidence", 0.9},
          {"result_id", "r" + std::to_string(n)}};
}

}  // namespace

TEST_CASE("clients that dribble their headers byte by byte cannot keep a normal client waiting") {
  TempDir dir;
  DaemonProcess daemon(dir.path(), basic_config({{"server.threads", std::to_string(k_threads)},
                                                 {"logging.level", "info"}}));
  daemon.start();

  // Every pool thread, and as many queued connections again, go to clients that never
  // finish their headers: one byte every 200 ms for up to 40 s, far longer than any limit.
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < k_slow_clients; ++i) {
    slow.push_back(std::make_unique<RawConnection>(daemon.port()));
    REQUIRE(slow.back()->connected());
    REQUIRE(slow.back()->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  }
  std::atomic<int> cut_off{0};
  std::thread dribbler([&slow, &cut_off] {
    std::vector<bool> open(slow.size(), true);
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(40);
    while (cut_off.load() < k_slow_clients && std::chrono::steady_clock::now() < end) {
      for (std::size_t i = 0; i < slow.size(); ++i) {
        if (open[i] && (slow[i]->closed_by_peer() || !slow[i]->send("a"))) {
          open[i] = false;
          ++cut_off;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });

  // A normal client, queued behind all of them, is answered (its own read timeout, 30 s,
  // bounds the wait; the slow clients alone would hold the threads for 40 s).
  auto normal = daemon.client().Get("/healthz");
  dribbler.join();
  REQUIRE(normal);
  CHECK(normal->status == 200);
  // The slow clients were cut off by the server, none of them by the dribbler's own end.
  CHECK(cut_off.load() == k_slow_clients);
  CHECK(daemon.client().Get("/healthz")->status == 200);
}

TEST_CASE("idle keep-alive connections give their threads up when another client waits") {
  TempDir dir;
  DaemonProcess daemon(dir.path(), basic_config({{"server.threads", std::to_string(k_threads)},
                                                 {"logging.level", "info"}}));
  daemon.start();

  // Each connection makes one request, keeps the connection open and says nothing more:
  // cpp-httplib alone would keep a thread waiting on each for the 30 s keep-alive timeout.
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 2 * k_threads; ++i) {
    idle.push_back(std::make_unique<RawConnection>(daemon.port()));
    REQUIRE(idle.back()->send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  }
  auto c = daemon.client();
  c.set_read_timeout(std::chrono::seconds(15));  // half the keep-alive timeout
  auto normal = c.Get("/healthz");
  REQUIRE(normal);
  CHECK(normal->status == 200);
  // The idle connections that had a thread were closed for the waiting client.
  int closed = 0;
  for (auto& conn : idle) closed += conn->closed_by_peer(std::chrono::milliseconds(100)) ? 1 : 0;
  CHECK(closed >= 1);
}

TEST_CASE("a client sending request after request keeps its connection while another waits") {
  TempDir dir;
  DaemonProcess daemon(dir.path(),
                       basic_config({{"server.threads", "1"}, {"logging.level", "info"}}));
  daemon.start();
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

  // The busy client's first request is on its way when the other client connects, so the
  // one thread finishes that answer with a connection waiting for it.
  RawConnection busy(daemon.port());
  REQUIRE(busy.send(request));
  RawConnection waiting(daemon.port());
  REQUIRE(waiting.send(request));
  // The busy client goes on at once after each answer, 50 times.
  int answered = 0;
  for (int i = 0; i < 50; ++i) {
    const std::string answer = busy.read_response(std::chrono::seconds(5));
    if (answer.rfind("HTTP/1.1 200", 0) != 0) break;
    ++answered;
    if (i < 49 && !busy.send(request)) break;
  }
  MESSAGE("requests answered on the busy connection: ", answered);
  // Yielding the moment an answer went out would have closed it after the first; a
  // machine slow enough to take 20 ms between an answer and the next request may lose it
  // later, but not the first several times.
  CHECK(answered >= 10);
  // Once the busy client stops, the waiting one gets the thread.
  const std::string answer = waiting.read_response(std::chrono::seconds(5));
  CHECK(answer.rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("a device over its rate limit gets 429 with Retry-After while other devices go on") {
  TempDir dir;
  DaemonProcess daemon(dir.path(), basic_config({{"server.rate_limit_per_device", "5"}}));
  const std::string device = create_token(dir.path(), "device", "nursery-04");
  const std::string other = create_token(dir.path(), "device", "kitchen-01");
  const std::string viewer = create_token(dir.path(), "viewer");
  daemon.start();

  // A burst well past 5 per second on one connection: the bucket holds 5, so a refusal
  // comes within the first few requests after those 5.
  auto c = daemon.client(device);
  int accepted = 0;
  std::optional<httplib::Response> limited;
  for (int i = 0; i < 50 && !limited; ++i) {
    auto r = c.Post("/api/v1/results", result("nursery-04", i).dump(), "application/json");
    REQUIRE(r);
    if (r->status == 202) {
      ++accepted;
    } else {
      REQUIRE(r->status == 429);
      limited = *r;
    }
  }
  REQUIRE(limited);
  CHECK(accepted >= 5);
  const json body = json::parse(limited->body, nullptr, false);
  CHECK(body["error"]["code"] == "rate_limited");
  REQUIRE(limited->has_header("Retry-After"));
  CHECK(std::stoi(limited->get_header_value("Retry-After")) >= 1);

  // The other device has its own bucket; reads by a viewer are not limited.
  auto r = daemon.client(other).Post("/api/v1/results", result("kitchen-01", 0).dump(),
                                     "application/json");
  REQUIRE(r);
  CHECK(r->status == 202);
  auto devices = daemon.client(viewer).Get("/api/v1/devices");
  REQUIRE(devices->status == 200);
  // The refused request stored nothing: nursery-04 has exactly the accepted results.
  const json listed = json::parse(devices->body);
  for (const auto& d : listed["devices"]) {
    if (d["device_id"] == "nursery-04") CHECK(d["results"] == accepted);
  }
}
