// The real driftd binary on a loopback port: authentication, roles, result ingest, the
// error cases of SPEC §4, restarts and graceful stops.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <regex>

#include "support/daemon_process.hpp"
#include "support/http_helpers.hpp"
#include "support/raw_http.hpp"
#include "support/source_tree.hpp"

using namespace driftd::test;
using nlohmann::json;

namespace {

json result(const std::string& device, const std::string& id, const std::string& label = "crying") {
  return {{"device_id", device},
          {"model_version", "12"},
          {"label", label},
          {"confidence", 0.9},
          {"scores", {{"crying", 0.9}, {"sleeping", 0.1}}},
          {"result_id", id}};
}

struct Fixture {
  TempDir dir;
  DaemonProcess daemon{dir.path(), basic_config()};
  std::string device;
  std::string other_device;
  std::string viewer;
  std::string admin;

  Fixture() {
    std::ofstream(dir.path() / "driftd.yaml") << basic_config();
    device = create_token(dir.path(), "device", "nursery-04");
    other_device = create_token(dir.path(), "device", "kitchen-01");
    viewer = create_token(dir.path(), "viewer");
    admin = create_token(dir.path(), "admin");
    daemon.start();
  }

  httplib::Result post(const std::string& token, const json& body) {
    return daemon.client(token).Post("/api/v1/results", body.dump(), "application/json");
  }

  json devices() {
    auto r = daemon.client(viewer).Get("/api/v1/devices");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json::parse(r->body)["devices"];
  }
};

}  // namespace

TEST_CASE("requests without a valid token get 401 and the wrong role gets 403") {
  Fixture f;
  auto none = f.daemon.client().Get("/api/v1/devices");
  CHECK(none->status == 401);
  CHECK(error_code(none) == "unauthorized");
  auto forged = f.daemon.client("drd_forged").Get("/api/v1/devices");
  CHECK(forged->status == 401);
  CHECK(f.daemon.client(f.device).Get("/api/v1/devices")->status == 403);
  CHECK(f.post(f.viewer, result("nursery-04", "x"))->status == 403);
  auto other = f.post(f.other_device, result("nursery-04", "x"));
  CHECK(other->status == 403);
  CHECK(error_code(other) == "forbidden_device");
  CHECK(f.devices().empty());
}

TEST_CASE("single and batch results are stored and duplicates are not counted twice") {
  Fixture f;
  auto one = f.post(f.device, result("nursery-04", "r1"));
  REQUIRE(one->status == 202);
  CHECK(json_of(one) == json{{"accepted", 1}, {"duplicates", 0}});

  json batch = {{"results", json::array()}};
  for (int i = 0; i < 100; ++i)
    batch["results"].push_back(result("nursery-04", "b" + std::to_string(i)));
  batch["results"].push_back(result("nursery-04", "r1"));  // already stored
  auto many = f.post(f.device, batch);
  REQUIRE(many->status == 202);
  CHECK(json_of(many) == json{{"accepted", 100}, {"duplicates", 1}});

  auto again = f.post(f.device, batch);
  CHECK(json_of(again) == json{{"accepted", 0}, {"duplicates", 101}});

  auto devices = f.devices();
  REQUIRE(devices.size() == 1);
  CHECK(devices[0]["device_id"] == "nursery-04");
  CHECK(devices[0]["results"] == 101);
  CHECK(devices[0]["model_version"] == "12");
  CHECK(devices[0]["status"] == "active");
}

TEST_CASE("a batch with one bad element is refused whole with its index") {
  Fixture f;
  json batch = {{"results", json::array({result("nursery-04", "a"), result("nursery-04", "b")})}};
  batch["results"][1]["confidence"] = "high";
  auto r = f.post(f.device, batch);
  REQUIRE(r->status == 400);
  auto body = json_of(r);
  CHECK(body["error"]["index"] == 1);
  CHECK(body["error"]["field"] == "confidence");
  CHECK(f.devices().empty());
}

TEST_CASE("bodies are checked for type, encoding, size and syntax before anything is stored") {
  Fixture f;
  auto c = f.daemon.client(f.device);
  const std::string good = result("nursery-04", "g").dump();

  auto wrong_type = c.Post("/api/v1/results", good, "text/plain");
  CHECK(wrong_type->status == 415);
  CHECK(error_code(wrong_type) == "unsupported_media_type");

  httplib::Headers br = {{"Content-Encoding", "br"}};
  auto brotli = c.Post("/api/v1/results", br, good, "application/json");
  CHECK(brotli->status == 415);
  CHECK(error_code(brotli) == "unsupported_encoding");

  auto malformed = c.Post("/api/v1/results", "{\"device_id\": ", "application/json");
  CHECK(malformed->status == 400);
  CHECK(error_code(malformed) == "malformed_json");

  // curl asks before sending a large body (Expect: 100-continue) and gets the refusal.
  const auto big = f.dir.path() / "big.json";
  std::ofstream(big) << std::string(11 * 1024 * 1024, ' ');
  auto huge =
      run_command("curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer " + f.device +
                  "' -H 'Content-Type: application/json' --data-binary @" + big.string() +
                  " http://127.0.0.1:" + std::to_string(f.daemon.port()) + "/api/v1/results");
  CHECK(huge.output == "413");

  // A small gzip body that inflates past the limit is refused on its decoded size.
  httplib::Headers gz = {{"Content-Encoding", "gzip"}};
  auto bomb = f.daemon.client(f.device).Post(
      "/api/v1/results", gz, gzip(std::string(12 * 1024 * 1024, ' ')), "application/json");
  REQUIRE(bomb);
  CHECK(bomb->status == 413);

  auto zipped =
      f.daemon.client(f.device).Post("/api/v1/results", gz, gzip(good), "application/json");
  REQUIRE(zipped);
  CHECK(zipped->status == 202);

  auto devices = f.devices();
  REQUIRE(devices.size() == 1);
  CHECK(devices[0]["results"] == 1);
}

TEST_CASE("unknown routes are 404 and wrong methods 405, both in the error shape") {
  Fixture f;
  auto missing = f.daemon.client(f.viewer).Get("/api/v1/nothing");
  CHECK(missing->status == 404);
  CHECK(error_code(missing) == "not_found");
  auto method = f.daemon.client(f.viewer).Delete("/api/v1/devices");
  CHECK(method->status == 405);
  CHECK(error_code(method) == "method_not_allowed");
}

TEST_CASE("health, readiness and metrics need no token") {
  Fixture f;
  auto c = f.daemon.client();
  CHECK(c.Get("/healthz")->status == 200);
  CHECK(c.Get("/readyz")->status == 200);
  f.post(f.device, result("nursery-04", "m1"));
  auto metrics = c.Get("/metrics");
  REQUIRE(metrics->status == 200);
  CHECK(metrics->body.find("driftd_results_ingested_total 1") != std::string::npos);
  CHECK(metrics->body.find(
            "driftd_http_requests_total{route=\"/api/v1/results\",status=\"202\"} 1") !=
        std::string::npos);
  // The writer committed at least the result's job, in at least one transaction.
  auto value_of = [&](const std::string& series) {
    const auto at = metrics->body.find("\n" + series + " ");
    REQUIRE_MESSAGE(at != std::string::npos, series);
    return std::stod(metrics->body.substr(at + series.size() + 2));
  };
  CHECK(value_of("driftd_store_write_jobs_total{outcome=\"committed\"}") >= 1);
  CHECK(value_of("driftd_store_write_jobs_total{outcome=\"failed\"}") == 0);
  CHECK(value_of("driftd_store_write_batches_total") >= 1);
  CHECK(value_of("driftd_store_commit_seconds_total") > 0);
  CHECK(value_of("driftd_store_write_queue_depth") >= 0);
}

TEST_CASE("a restart keeps every acknowledged result and SIGTERM exits 0 promptly") {
  Fixture f;
  json batch = {{"results", json::array()}};
  for (int i = 0; i < 50; ++i) batch["results"].push_back(result("nursery-04", std::to_string(i)));
  REQUIRE(f.post(f.device, batch)->status == 202);

  const auto started = std::chrono::steady_clock::now();
  CHECK(f.daemon.stop() == 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));

  f.daemon.start();
  CHECK(f.devices()[0]["results"] == 50);
  CHECK(json_of(f.post(f.device, batch))["duplicates"] == 50);

  // A crash loses nothing that was acknowledged either.
  REQUIRE(f.post(f.device, result("nursery-04", "after"))->status == 202);
  f.daemon.kill_hard();
  f.daemon.start();
  CHECK(f.devices()[0]["results"] == 51);
}

TEST_CASE("the log never contains a token") {
  Fixture f;
  f.post(f.device, result("nursery-04", "t"));
  f.daemon.client(f.viewer).Get("/api/v1/devices");
  f.daemon.client("drd_not_a_real_token_value").Get("/api/v1/devices");
  const auto log = f.daemon.log();
  CHECK(log.find(f.device) == std::string::npos);
  CHECK(log.find(f.viewer) == std::string::npos);
  CHECK(log.find("drd_not_a_real_token_value") == std::string::npos);
}

TEST_CASE("a token revoked by the CLI while the daemon runs is refused at once, also once cached") {
  Fixture f;
  const auto created = run_driftd(
      {"token", "create", "--config", "driftd.yaml", "--role", "device", "--device", "attic-02"},
      f.dir.path());
  REQUIRE_MESSAGE(created.exit_code == 0, created.err);
  std::smatch id;
  REQUIRE(std::regex_search(created.out, id, std::regex("token ([0-9]+)")));
  std::string out = created.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  const std::string token = out.substr(out.rfind('\n') + 1);

  // Accepted several times: the daemon now answers this token from its cache.
  for (int i = 0; i < 3; ++i) {
    auto ok = f.post(token, result("attic-02", "before-" + std::to_string(i)));
    REQUIRE(ok);
    REQUIRE(ok->status == 202);
  }
  const auto revoked =
      run_driftd({"token", "revoke", "--config", "driftd.yaml", id[1].str()}, f.dir.path());
  REQUIRE_MESSAGE(revoked.exit_code == 0, revoked.err);

  // The very next request is refused, and nothing of it is stored: on a kept-alive
  // connection (answered by the store's writer after the job found the token revoked) as
  // on one that closes (answered by the request's thread).
  auto kept = f.daemon.client(token);
  kept.set_keep_alive(true);
  auto refused_kept =
      kept.Post("/api/v1/results", result("attic-02", "after-k").dump(), "application/json");
  REQUIRE(refused_kept);
  CHECK(refused_kept->status == 401);
  CHECK(error_code(refused_kept) == "unauthorized");
  auto refused = f.post(token, result("attic-02", "after-0"));
  REQUIRE(refused);
  CHECK(refused->status == 401);
  CHECK(error_code(refused) == "unauthorized");
  // Whatever else is wrong with a request, a revoked token is answered as revoked first,
  // as before it was ever cached: a bad body, another device, a batch.
  auto bad_body = f.post(token, json{{"device_id", "attic-02"}});
  CHECK(bad_body->status == 401);
  auto other_device = f.post(token, result("nursery-04", "after-1"));
  CHECK(other_device->status == 401);
  json batch = {
      {"results", json::array({result("attic-02", "after-2"), result("attic-02", "after-3")})}};
  CHECK(f.post(token, batch)->status == 401);

  bool found = false;
  for (const auto& d : f.devices()) {
    if (d["device_id"] == "attic-02") {
      found = true;
      CHECK(d["results"] == 3);
    }
  }
  CHECK(found);
  // Other tokens are unaffected.
  CHECK(f.post(f.device, result("nursery-04", "still-fine"))->status == 202);
}

TEST_CASE("on a kept-alive connection the answer comes after the commit, as it would at once") {
  Fixture f;
  const auto request = [&](const std::string& id, const std::string& connection) {
    const std::string body = result("nursery-04", id).dump();
    return "POST /api/v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + f.device +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n" + connection + "\r\n" + body;
  };
  // Kept alive: answered by the store's writer. "Connection: close": by the request's
  // own thread. The same answer either way, but for the connection headers.
  RawConnection kept(f.daemon.port());
  REQUIRE(kept.send(request("k1", "")));
  const std::string later_bytes = kept.read_response(std::chrono::seconds(10));
  RawConnection closing(f.daemon.port());
  REQUIRE(closing.send(request("c1", "Connection: close\r\n")));
  const std::string now_bytes = closing.read_response(std::chrono::seconds(10));
  const auto status_line = [](const std::string& bytes) {
    return bytes.substr(0, bytes.find('\r'));
  };
  CHECK(status_line(later_bytes) == "HTTP/1.1 202 Accepted");
  CHECK(status_line(now_bytes) == "HTTP/1.1 202 Accepted");
  RawResponse later = parse_raw_response(later_bytes);
  RawResponse now = parse_raw_response(now_bytes);
  CHECK(later.headers["keep-alive"] == "timeout=30, max=100000");
  CHECK(now.headers["connection"] == "close");
  later.headers.erase("keep-alive");
  now.headers.erase("connection");
  CHECK(later.headers == now.headers);
  CHECK(json::parse(later.body) == json{{"accepted", 1}, {"duplicates", 0}});
  CHECK(json::parse(now.body) == json{{"accepted", 1}, {"duplicates", 0}});

  // Pipelined requests are answered in order, each after its own commit: the second is a
  // duplicate of the first.
  REQUIRE(kept.send(request("p1", "") + request("p1", "") + request("p2", "")));
  const std::vector<json> expected = {{{"accepted", 1}, {"duplicates", 0}},
                                      {{"accepted", 0}, {"duplicates", 1}},
                                      {{"accepted", 1}, {"duplicates", 0}}};
  for (const auto& want : expected) {
    RawResponse got = parse_raw_response(kept.read_response(std::chrono::seconds(10)));
    REQUIRE(got.received);
    CHECK(got.status == 202);
    CHECK(json::parse(got.body) == want);
  }
  // Refused in the handler after all (another device's result): answered on the spot,
  // and the connection goes on.
  const std::string foreign = result("kitchen-01", "x").dump();
  REQUIRE(kept.send("POST /api/v1/results HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                    f.device + "\r\nContent-Type: application/json\r\nContent-Length: " +
                    std::to_string(foreign.size()) + "\r\n\r\n" + foreign));
  RawResponse refused = parse_raw_response(kept.read_response(std::chrono::seconds(10)));
  CHECK(refused.status == 403);
  REQUIRE(kept.send(request("k2", "")));
  CHECK(parse_raw_response(kept.read_response(std::chrono::seconds(10))).status == 202);
  CHECK(f.devices()[0]["results"] == 5);  // k1, c1, p1, p2, k2: each answered once stored
}
