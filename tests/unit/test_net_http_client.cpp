// The libcurl transport against the in-process stand-ins: what it sends, what it
// returns, how it fails, and what it reports to the observer.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "driftd/net/http_client.hpp"
#include "support/outside_world.hpp"

using namespace driftd;
using driftd::standins::FaultKind;
using driftd::standins::Route;

namespace {

net::HttpRequest studio_get(const test::OutsideWorld& world, const std::string& path) {
  net::HttpRequest r;
  r.service = "edge_impulse_studio";
  r.url = world.standins.base_url() + "/v1/api/1" + path;
  r.headers = {{"x-api-key", world.standins.options().ei_api_key}};
  r.timeouts = test::k_test_timeouts;
  return r;
}

net::TransportFailure failure_of(const net::HttpOutcome& outcome) {
  REQUIRE(std::holds_alternative<net::TransportFailure>(outcome));
  return std::get<net::TransportFailure>(outcome);
}

net::HttpResponse response_of(const net::HttpOutcome& outcome) {
  if (const auto* f = std::get_if<net::TransportFailure>(&outcome)) FAIL(f->message);
  return std::get<net::HttpResponse>(outcome);
}

// A loopback port nobody listens on: bound, then closed.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

TEST_CASE("a GET returns status, headers found case-insensitively, and the body") {
  test::OutsideWorld world;
  const auto outcome = world.http.send(studio_get(world, "/raw-data?category=training"));
  const auto response = response_of(outcome);
  CHECK(response.status == 200);
  CHECK(response.header("content-type").value() == "application/json");
  CHECK(response.header("CONTENT-TYPE").value() == "application/json");
  CHECK_FALSE(response.header("x-not-there").has_value());
  CHECK(nlohmann::json::parse(response.body)["success"] == true);
  const auto recorded = world.standins.requests(Route::studio_raw_data);
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0].header("User-Agent") == net::default_user_agent());
  CHECK(recorded[0].query == "category=training");
}

TEST_CASE("an HTTP error status is an answer, not a transport failure") {
  test::OutsideWorld world;
  auto request = studio_get(world, "/raw-data?category=training");
  request.headers.clear();
  const auto response = response_of(world.http.send(request));
  CHECK(response.status == 401);
  CHECK(response.body.find("API key") != std::string::npos);
}

TEST_CASE("multipart bodies carry several parts with the same name, file names and types") {
  test::OutsideWorld world;
  net::HttpRequest r;
  r.method = net::Method::post;
  r.url = world.standins.base_url() + "/api/training/files";
  r.headers = {{"x-api-key", world.standins.options().ei_api_key}, {"x-label", "dog"}};
  r.parts = {{"data", "one.wav", "audio/wav", test::wav_clip(1)},
             {"data", "two.wav", "audio/wav", test::wav_clip(2)}};
  const auto response = response_of(world.http.send(r));
  CHECK(response.status == 200);
  const auto samples = world.standins.samples();
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].original_name == "one.wav");
  CHECK(samples[1].original_name == "two.wav");
  CHECK(samples[1].bytes == test::wav_clip(2));
  const auto parts = world.standins.requests(Route::ingestion_files).at(0).parts;
  REQUIRE(parts.size() == 2);
  for (const auto& p : parts) {
    CHECK(p.name == "data");
    CHECK(p.content_type == "audio/wav");
  }
  CHECK(parts[0].filename == "one.wav");
  CHECK(parts[1].size == test::wav_clip(2).size());
}

TEST_CASE("a JSON POST sends its body and content type; an empty POST sends a zero length") {
  test::OutsideWorld world;
  net::HttpRequest r;
  r.method = net::Method::post;
  r.url = world.standins.base_url() + "/repos/example/firmware/dispatches";
  r.headers = {{"Authorization", "Bearer " + world.standins.options().github_token}};
  r.content_type = "application/json";
  r.body = R"({"event_type":"ping","client_payload":{"a":1}})";
  CHECK(response_of(world.http.send(r)).status == 204);
  const auto recorded = world.standins.requests(Route::github_dispatch).at(0);
  CHECK(recorded.body == r.body);
  CHECK(recorded.header("Content-Type") == "application/json");

  auto empty = studio_get(world, "/jobs/retrain");
  empty.method = net::Method::post;
  CHECK(response_of(world.http.send(empty)).status == 200);
  CHECK(world.standins.requests(Route::studio_retrain).at(0).header("Content-Length") == "0");
}

TEST_CASE("transport failures are told apart: refused, timed out, dropped, TLS, bad request") {
  test::OutsideWorld world;
  net::HttpRequest refused;
  refused.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
  CHECK(failure_of(world.http.send(refused)).kind == net::TransportKind::connection_failed);

  world.standins.inject_fault(Route::studio_raw_data, test::slow_fault(std::chrono::seconds(5)));
  auto slow = studio_get(world, "/raw-data?category=training");
  slow.timeouts = {std::chrono::seconds(2), std::chrono::milliseconds(300)};
  CHECK(failure_of(world.http.send(slow)).kind == net::TransportKind::timeout);

  world.standins.inject_fault(Route::studio_raw_data, test::fault(FaultKind::drop_connection));
  const auto dropped = world.http.send(studio_get(world, "/raw-data?category=training"));
  CHECK(failure_of(dropped).kind == net::TransportKind::connection_dropped);

  auto tls = studio_get(world, "/raw-data?category=training");
  tls.url = "https://127.0.0.1:" + std::to_string(world.standins.port()) + "/";
  CHECK(failure_of(world.http.send(tls)).kind == net::TransportKind::tls);

  auto injected = studio_get(world, "/raw-data?category=training");
  injected.headers.push_back({"x-evil", "a\r\nx-other: b"});
  CHECK(failure_of(world.http.send(injected)).kind == net::TransportKind::invalid_request);

  auto small = studio_get(world, "/raw-data?category=training");
  small.max_response_bytes = 10;
  CHECK(failure_of(world.http.send(small)).kind == net::TransportKind::response_too_large);
}

TEST_CASE("transport failure messages never contain header values") {
  test::OutsideWorld world;
  auto request = studio_get(world, "/raw-data?category=training");
  request.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/";
  request.headers = {{"x-api-key", "ei_never_in_messages_0042"}};
  const auto failure = failure_of(world.http.send(request));
  CHECK_FALSE(failure.message.empty());
  CHECK(failure.message.find("ei_never_in_messages_0042") == std::string::npos);
}

TEST_CASE("every call is reported to the observer with service, outcome and latency") {
  test::OutsideWorld world;
  (void)world.http.send(studio_get(world, "/raw-data?category=training"));
  auto unauthorized = studio_get(world, "/raw-data?category=training");
  unauthorized.headers.clear();
  (void)world.http.send(unauthorized);
  world.standins.inject_fault(Route::studio_raw_data, test::fault(FaultKind::server_error));
  (void)world.http.send(studio_get(world, "/raw-data?category=training"));
  world.standins.inject_fault(Route::studio_raw_data, test::fault(FaultKind::drop_connection));
  (void)world.http.send(studio_get(world, "/raw-data?category=training"));
  world.standins.inject_fault(Route::studio_raw_data, test::rate_fault(FaultKind::github_rate_limit,
                                                                       std::chrono::seconds(5)));
  (void)world.http.send(studio_get(world, "/raw-data?category=training"));
  world.standins.inject_fault(Route::studio_raw_data, test::slow_fault(std::chrono::seconds(5)));
  auto slow = studio_get(world, "/raw-data?category=training");
  slow.timeouts = {std::chrono::seconds(2), std::chrono::milliseconds(200)};
  (void)world.http.send(slow);

  const auto records = world.observer->records();
  REQUIRE(records.size() == 6);
  CHECK(records[0].service == "edge_impulse_studio");
  CHECK(records[0].method == net::Method::get);
  CHECK(records[0].status == 200);
  CHECK(records[0].outcome == "ok");
  CHECK(records[1].outcome == "client_error");
  CHECK(records[2].outcome == "server_error");
  CHECK(records[2].status == 500);
  CHECK(records[3].outcome == "transport_error");
  CHECK(records[4].outcome == "rate_limited");
  CHECK(records[4].status == 403);
  CHECK(records[5].outcome == "timeout");
  CHECK(records[3].status == 0);
  CHECK(records[3].failure == net::TransportKind::connection_dropped);
  for (const auto& r : records) CHECK(r.latency.count() > 0);
}
