// The drift engine through the real driftd binary on a loopback port: a reference imported
// with `driftd baseline import`, clips and results uploaded over HTTP, evaluations on
// demand, the latest evaluation and its history, the retrain trigger of a drift episode
// (and its refusal by the cooldown), and the errors of the drift routes.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include "driftd/util/time.hpp"
#include "support/audio_fixtures.hpp"
#include "support/daemon_process.hpp"
#include "support/drift_fixtures.hpp"
#include "support/http_helpers.hpp"

using namespace driftd::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A 2.5 s 16-bit WAV: a harmonic tone (fundamental 200-400 Hz, level 3000-9000) in faint
// noise, scaled by `gain` with `noise` more white noise: the training audio when gain is 1
// and noise 0.
std::string scene_wav(std::uint64_t seed, double gain = 1, double noise = 0) {
  NormalSource normal(seed);
  const double f0 = 200 + 200 * (0.5 + 0.5 * std::sin(static_cast<double>(seed) * 12.9898));
  const double level = 3000 * std::pow(3.0, 0.5 + 0.5 * std::cos(static_cast<double>(seed) * 7.3));
  std::vector<std::int16_t> samples(40000);
  for (std::size_t n = 0; n < samples.size(); ++n) {
    const double t = static_cast<double>(n) / 16000;
    double v = 0;
    for (int k = 1; k <= 3; ++k) v += std::sin(2 * std::numbers::pi * k * f0 * t) / k;
    const double x = gain * (level * v + 150 * normal.next()) + noise * normal.next();
    samples[n] = static_cast<std::int16_t>(std::clamp(x, -32768.0, 32767.0));
  }
  const auto bytes = make_wav(samples, 16000);
  return std::string(bytes.begin(), bytes.end());
}

using Overrides = std::map<std::string, std::string>;

struct Fixture {
  TempDir dir;
  DaemonProcess daemon;
  std::string device;
  std::string viewer;
  std::string admin;

  explicit Fixture(const Overrides& overrides) : daemon(dir.path(), basic_config(overrides)) {
    std::ofstream(dir.path() / "driftd.yaml") << basic_config(overrides);
    // The training data: 40 clips labelled by their folder.
    for (int i = 0; i < 40; ++i) {
      const fs::path folder = dir.path() / "training" / (i % 2 ? "crying" : "sleeping");
      fs::create_directories(folder);
      std::ofstream(folder / ("clip-" + std::to_string(i) + ".wav"), std::ios::binary)
          << scene_wav(1000 + static_cast<std::uint64_t>(i));
    }
    const auto imported = run_driftd(
        {"baseline", "import", "--config", "driftd.yaml", "--model-version", "12", "training"},
        dir.path());
    REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
    device = create_token(dir.path(), "device", "nursery-04");
    viewer = create_token(dir.path(), "viewer");
    admin = create_token(dir.path(), "admin");
    daemon.start();
  }

  void upload_clips(int count, std::uint64_t first_seed, double gain, double noise) {
    for (int i = 0; i < count; ++i) {
      auto r = daemon.client(device).Post(
          "/api/v1/clips?device_id=nursery-04&model_version=12&label=crying&confidence=0.9",
          scene_wav(first_seed + static_cast<std::uint64_t>(i), gain, noise), "audio/wav");
      REQUIRE(r);
      REQUIRE_MESSAGE(r->status == 201, r->body);
    }
  }

  void post_results(int count) {
    json results = json::array();
    for (int i = 0; i < count; ++i) {
      results.push_back({{"device_id", "nursery-04"},
                         {"model_version", "12"},
                         {"label", i % 3 ? "sleeping" : "crying"},
                         {"confidence", 0.8 + 0.01 * (i % 10)}});
    }
    auto r = daemon.client(device).Post("/api/v1/results", json{{"results", results}}.dump(),
                                        "application/json");
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 202, r->body);
  }

  json evaluate(const std::string& query = "") {
    auto r = daemon.client(admin).Post("/api/v1/drift/evaluate" + query, "", "application/json");
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 200, r->body);
    return json_of(r);
  }

  httplib::Result get(const std::string& path, const std::string& token) {
    return daemon.client(token).Get(path);
  }

  json runs() {
    auto r = get("/api/v1/retrains", viewer);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json_of(r)["retrains"];
  }
};

const Overrides k_settings = {
    {"drift.min_windows", "60"}, {"drift.evaluate_every", "1h"}, {"drift.consecutive", "2"}};

}  // namespace

TEST_CASE("drift over HTTP: evaluations on demand, the latest one, history and errors") {
  Fixture f(k_settings);
  f.upload_clips(20, 5000, 1, 0);  // 120 windows like the training data
  f.post_results(30);
  const json ok = f.evaluate();
  CHECK(ok["model_version"] == "12");
  CHECK(ok["device_id"].is_null());
  CHECK(ok["status"] == "ok");
  CHECK(ok["current_windows"] == 120);
  CHECK(ok["reference_windows"] == 240);
  CHECK(ok["features"].size() == 14);
  CHECK(ok["thresholds"]["psi_alarm"] == 0.25);
  CHECK(ok["reference"]["model_version"] == "12");
  CHECK(ok["predictions"]["results"] == 30);

  f.upload_clips(60, 6000, 0.2, 400);  // much quieter, noisier audio
  const json alarm = f.evaluate("?model_version=12");
  CHECK(alarm["status"] == "alarm");
  CHECK(alarm["current_windows"] == 480);
  bool rms_alarm = false;
  for (const auto& feature : alarm["features"]) {
    if (feature["name"] == "rms_dbfs") rms_alarm = feature["status"] == "alarm";
  }
  CHECK(rms_alarm);

  // The latest evaluation, fleet-wide and for the device.
  auto latest = f.get("/api/v1/drift", f.viewer);
  REQUIRE(latest);
  REQUIRE(latest->status == 200);
  CHECK(json_of(latest)["evaluated_at"] == alarm["evaluated_at"]);
  auto device = f.get("/api/v1/drift?model_version=12&device_id=nursery-04", f.viewer);
  REQUIRE(device);
  REQUIRE(device->status == 200);
  CHECK(json_of(device)["device_id"] == "nursery-04");
  CHECK(json_of(device)["status"] == "alarm");

  // History: newest first, within since/until.
  auto history = f.get("/api/v1/drift/history", f.viewer);
  REQUIRE(history);
  REQUIRE(history->status == 200);
  const json evaluations = json_of(history)["evaluations"];
  REQUIRE(evaluations.size() >= 2);
  CHECK(evaluations[0]["evaluated_at"] == alarm["evaluated_at"]);
  CHECK(evaluations[0]["features"][0].contains("psi"));
  const auto alarm_at = driftd::util::parse_rfc3339(alarm["evaluated_at"].get<std::string>());
  REQUIRE(alarm_at);
  const std::string just_before = driftd::util::format_rfc3339(*alarm_at - 1);
  auto older = f.get("/api/v1/drift/history?until=" + just_before, f.viewer);
  REQUIRE(older);
  REQUIRE(older->status == 200);
  const json older_body = json_of(older);
  for (const auto& e : older_body["evaluations"]) {
    CHECK(*driftd::util::parse_rfc3339(e["evaluated_at"].get<std::string>()) < *alarm_at);
  }
  auto empty = f.get("/api/v1/drift/history?since=2001-01-01T00:00:00Z&until=2001-01-02T00:00:00Z",
                     f.viewer);
  REQUIRE(empty);
  CHECK(empty->status == 200);
  CHECK(json_of(empty)["evaluations"].empty());

  // Errors.
  const std::pair<std::string, std::string> bad_queries[] = {
      {"/api/v1/drift/history?since=2026-11-27T00:00:00Z&until=2026-11-26T00:00:00Z",
       "invalid_range"},
      {"/api/v1/drift/history?since=yesterday", "invalid_timestamp"},
      {"/api/v1/drift?model_version=not%20valid", "invalid_model_version"},
      {"/api/v1/drift?device_id=", "invalid_device_id"},
      {"/api/v1/drift?colour=blue", "unknown_parameter"},
  };
  for (const auto& [path, code] : bad_queries) {
    auto r = f.get(path, f.viewer);
    REQUIRE(r);
    CHECK_MESSAGE(r->status == 400, path);
    CHECK_MESSAGE(error_code(r) == code, (path + " " + r->body));
  }
  auto unknown = f.get("/api/v1/drift?model_version=99", f.viewer);
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  CHECK(error_code(unknown) == "not_found");
  auto anonymous = f.daemon.client().Get("/api/v1/drift");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  auto as_device = f.get("/api/v1/drift", f.device);
  REQUIRE(as_device);
  CHECK(as_device->status == 403);
  auto viewer_evaluates =
      f.daemon.client(f.viewer).Post("/api/v1/drift/evaluate", "", "application/json");
  REQUIRE(viewer_evaluates);
  CHECK(viewer_evaluates->status == 403);

  // The gauges of the latest fleet evaluation.
  auto metrics = f.daemon.client().Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("driftd_drift_status{model_version=\"12\"} 2") != std::string::npos);
  CHECK(metrics->body.find("driftd_drift_psi{model_version=\"12\",feature=\"rms_dbfs\"}") !=
        std::string::npos);
}

TEST_CASE("a drift episode over HTTP triggers one retrain run, or shows why it cannot") {
  SUBCASE("one run per episode") {
    Fixture f(k_settings);
    f.upload_clips(40, 7000, 0.2, 400);
    for (int i = 0; i < 4; ++i) {
      CHECK(f.evaluate()["status"] == "alarm");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // distinct evaluation times
    }
    const json runs = f.runs();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0]["trigger"] == "drift");
    CHECK(runs[0]["model_version"] == "12");
    CHECK(runs[0]["dry_run"] == true);
    auto latest = f.get("/api/v1/drift", f.viewer);
    REQUIRE(latest);
    CHECK_FALSE(json_of(latest).contains("retrain"));
  }
  SUBCASE("refused by the cooldown after a manual run") {
    Fixture f(k_settings);
    auto manual = f.daemon.client(f.admin).Post("/api/v1/retrains", R"({"model_version": "12"})",
                                                "application/json");
    REQUIRE(manual);
    REQUIRE_MESSAGE(manual->status == 202, manual->body);
    const std::string id = json_of(manual)["id"].get<std::string>();
    // The dry run finishes on its own (the runner's thread); wait for it to end.
    for (int i = 0; i < 200; ++i) {
      auto run = f.get("/api/v1/retrains/" + id, f.viewer);
      REQUIRE(run);
      if (json_of(run)["state"] == "succeeded") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    f.upload_clips(40, 8000, 0.2, 400);
    f.evaluate();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    const json second = f.evaluate();
    CHECK(second["status"] == "alarm");
    REQUIRE(second.contains("retrain"));
    CHECK(second["retrain"]["blocked_by"] == "cooldown");
    CHECK(second["retrain"]["until"].is_string());
    auto latest = f.get("/api/v1/drift", f.viewer);
    REQUIRE(latest);
    CHECK(json_of(latest)["retrain"]["blocked_by"] == "cooldown");
    CHECK(f.runs().size() == 1);
  }
}
