// The real driftd binary closing the loop against the stand-ins (in this process, on
// loopback): clips in, POST /api/v1/retrains, and the run goes to succeeded with one upload
// set, one retrain job, one classify job and one dispatch, also when the daemon is killed
// in the middle. Secrets never show up in the database, the log or any answer.
#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "driftd/standins/standins.hpp"
#include "driftd/util/time.hpp"
#include "support/daemon_process.hpp"
#include "support/http_helpers.hpp"
#include "support/outside_world.hpp"

using namespace driftd::test;
using driftd::standins::Route;
using nlohmann::json;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Loop {
  driftd::standins::Standins world;
  TempDir dir;
  std::unique_ptr<DaemonProcess> daemon;
  std::string device, viewer, admin;
  std::vector<std::string> answers;  // every API body seen, for the secret check

  explicit Loop(int job_polls = 2) {
    world.start();
    world.set_polls_until_finished(job_polls);
    std::ofstream(dir.path() / "driftd.yaml") << config();
    device = create_token(dir.path(), "device", "nursery-04");
    viewer = create_token(dir.path(), "viewer");
    admin = create_token(dir.path(), "admin");
    daemon = make_daemon();
    daemon->start();
  }

  std::string config() const {
    const std::string url = world.base_url();
    return basic_config({{"retrain.dry_run", "false"},
                         {"retrain.poll_interval", "100ms"},
                         {"retrain.job_timeout", "2m"},
                         {"edge_impulse.project_id", std::to_string(world.options().project_id)},
                         {"edge_impulse.studio_url", url},
                         {"edge_impulse.ingestion_url", url},
                         {"github.api_url", url},
                         {"github.repository", world.options().repositories.front()}});
  }

  std::unique_ptr<DaemonProcess> make_daemon(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env = {{"EI_API_KEY", world.options().ei_api_key},
                                              {"GITHUB_TOKEN", world.options().github_token}};
    env.insert(extra.begin(), extra.end());
    return std::make_unique<DaemonProcess>(dir.path(), config(), env);
  }

  void upload_clips(int n) {
    auto c = daemon->client(device);
    for (int i = 0; i < n; ++i) {
      const std::string label = i % 2 == 0 ? "crying" : "sleeping";
      auto r = c.Post(
          "/api/v1/clips?device_id=nursery-04&model_version=12&label=" + label + "&confidence=0.95",
          wav_clip(static_cast<unsigned>(100 + i), 16000), "audio/wav");
      REQUIRE(r);
      REQUIRE_MESSAGE(r->status == 201, r->body);
    }
  }

  httplib::Result post_retrain(const json& body) {
    auto r = daemon->client(admin).Post("/api/v1/retrains", body.dump(), "application/json");
    if (r) answers.push_back(r->body);
    return r;
  }

  json get_run(const std::string& id) {
    auto r = daemon->client(viewer).Get("/api/v1/retrains/" + id);
    REQUIRE(r);
    REQUIRE(r->status == 200);
    answers.push_back(r->body);
    return json::parse(r->body);
  }

  // Polls the run until `done` says so (at most 60 s).
  json wait_for(const std::string& id, const std::function<bool(const json&)>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    json run;
    while (std::chrono::steady_clock::now() < deadline) {
      run = get_run(id);
      if (done(run)) return run;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("run " << id << " never reached the expected state: " << run.dump(2));
    return run;
  }

  std::size_t jobs_of(const std::string& kind) const {
    std::size_t n = 0;
    for (const auto& j : world.jobs()) n += j.kind == kind ? 1 : 0;
    return n;
  }

  void check_one_of_each(std::size_t clips) {
    CHECK(world.samples().size() == clips);
    CHECK(jobs_of("retrain") == 1);
    CHECK(jobs_of("classify") == 1);
    CHECK(world.dispatches().size() == 1);
  }

  void check_no_secrets() {
    std::string everything = daemon->log();
    for (const char* f : {"var/driftd.db", "var/driftd.db-wal"})
      everything += slurp(dir.path() / f);
    for (const auto& a : answers) everything += a;
    const auto key = world.options().ei_api_key;
    const auto token = world.options().github_token;
    CHECK_MESSAGE(everything.find(key) == std::string::npos, "the Edge Impulse key leaked");
    CHECK_MESSAGE(everything.find(token) == std::string::npos, "the GitHub token leaked");
  }
};

bool is_over(const json& run) {
  return run["state"] == "succeeded" || run["state"] == "failed" || run["state"] == "rejected";
}

}  // namespace

TEST_CASE("a manual retrain goes from clips to one dispatch through the real daemon") {
  Loop loop;
  loop.upload_clips(4);
  auto created = loop.post_retrain({{"reason", "integration test"}});
  REQUIRE(created);
  REQUIRE_MESSAGE(created->status == 202, created->body);
  const json pending = json::parse(created->body);
  CHECK(pending["model_version"] == "12");
  CHECK(pending["trigger"] == "manual");
  CHECK(pending["dry_run"] == false);
  CHECK(pending["job_id"].is_null());
  CHECK(pending["steps"].size() == 1);
  const std::string id = pending["id"];

  const json run = loop.wait_for(id, is_over);
  REQUIRE_MESSAGE(run["state"] == "succeeded", run.dump(2));
  CHECK(run["clips_uploaded"] == 4);
  CHECK(run["job_id"].is_number_integer());
  CHECK(run["test_job_id"].is_number_integer());
  CHECK(run["test_accuracy"] == doctest::Approx(0.9));
  CHECK(run["test_per_class"].is_object());
  CHECK(run["error"].is_null());
  CHECK(run["steps"].size() >= 6);
  CHECK(driftd::util::parse_rfc3339(run["created"].get<std::string>()).has_value());
  loop.check_one_of_each(4);
  const auto payload = json::parse(loop.world.dispatches().front().client_payload);
  CHECK(payload["run_id"] == id);
  CHECK(payload["job_id"] == run["job_id"]);
  CHECK(payload["model_version"] == "12");

  // The list shows it; a second trigger is refused by the cooldown, unless forced.
  auto list = loop.daemon->client(loop.viewer).Get("/api/v1/retrains");
  REQUIRE(list);
  loop.answers.push_back(list->body);
  CHECK(json::parse(list->body)["retrains"][0]["id"] == id);
  auto again = loop.post_retrain(json::object());
  REQUIRE(again);
  CHECK(again->status == 409);
  CHECK(error_code(again) == "retrain_blocked");
  CHECK(json_of(again)["error"]["blocked_by"] == "cooldown");
  CHECK(json_of(again)["error"]["until"].is_string());

  auto metrics = loop.daemon->client().Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("driftd_retrain_runs_total{state=\"succeeded\"} 1") !=
        std::string::npos);
  CHECK(metrics->body.find("driftd_outside_requests_total{service=\"github\",outcome=\"ok\"} 1") !=
        std::string::npos);
  loop.check_no_secrets();
  CHECK(loop.daemon->stop() == 0);
}

TEST_CASE("a succeeded retrain's successor reference is listed by GET /api/v1/baselines") {
  Loop loop;
  // Model version 12's reference, imported while the daemon runs.
  for (int i = 0; i < 6; ++i) {
    const auto folder = loop.dir.path() / "training" / (i % 2 ? "crying" : "sleeping");
    std::filesystem::create_directories(folder);
    std::ofstream(folder / ("t-" + std::to_string(i) + ".wav"), std::ios::binary)
        << wav_clip(static_cast<unsigned>(700 + i), 16000);
  }
  const auto imported = run_driftd(
      {"baseline", "import", "--config", "driftd.yaml", "--model-version", "12", "training"},
      loop.dir.path());
  REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
  auto before = loop.daemon->client(loop.viewer).Get("/api/v1/baselines");
  REQUIRE(before);
  REQUIRE(json::parse(before->body)["baselines"].size() == 1);
  const auto base_windows = json::parse(before->body)["baselines"][0]["windows"].get<int>();
  const auto base_clips = json::parse(before->body)["baselines"][0]["clips"].get<int>();

  loop.upload_clips(4);
  auto created = loop.post_retrain({{"reason", "successor reference"}});
  REQUIRE(created);
  REQUIRE_MESSAGE(created->status == 202, created->body);
  const std::string id = json::parse(created->body)["id"];
  const json run = loop.wait_for(id, is_over);
  REQUIRE_MESSAGE(run["state"] == "succeeded", run.dump(2));

  auto after = loop.daemon->client(loop.viewer).Get("/api/v1/baselines");
  REQUIRE(after);
  REQUIRE(after->status == 200);
  const json list = json::parse(after->body)["baselines"];
  REQUIRE_MESSAGE(list.size() == 2, list.dump(2));
  // Newest first: the successor, then 12's own, unchanged.
  CHECK(list[0]["model_version"] == "retrain:" + id);
  CHECK(list[0]["source"] == "retrain:" + id);
  CHECK(list[0]["clips"] == base_clips + 4);
  CHECK(list[0]["windows"].get<int>() > base_windows);
  CHECK(list[1]["model_version"] == "12");
  CHECK(list[1]["windows"] == base_windows);
  CHECK(loop.daemon->stop() == 0);
}

TEST_CASE("retrain routes check roles, bodies and unknown runs") {
  Loop loop(40);  // the run stays active for seconds
  auto viewer_post =
      loop.daemon->client(loop.viewer).Post("/api/v1/retrains", "{}", "application/json");
  REQUIRE(viewer_post);
  CHECK(viewer_post->status == 403);
  auto unknown = loop.daemon->client(loop.viewer).Get("/api/v1/retrains/r-nothing");
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  CHECK(error_code(unknown) == "not_found");
  auto no_version = loop.post_retrain(json::object());  // no device has reported yet
  REQUIRE(no_version);
  CHECK(no_version->status == 404);
  auto bad = loop.post_retrain({{"model_version", "12"}, {"colour", "blue"}});
  REQUIRE(bad);
  CHECK(bad->status == 400);
  auto created = loop.post_retrain({{"model_version", "12"}});
  REQUIRE(created);
  CHECK(created->status == 202);
  auto busy = loop.post_retrain({{"model_version", "12"}, {"force", true}});
  REQUIRE(busy);
  CHECK(busy->status == 409);
  CHECK(json_of(busy)["error"]["blocked_by"] == "active_run");
}

TEST_CASE("a daemon killed while training resumes the run and repeats nothing") {
  Loop loop(40);  // the retrain job runs for 40 polls of 100 ms
  loop.upload_clips(2);
  auto created = loop.post_retrain(json::object());
  REQUIRE(created);
  REQUIRE(created->status == 202);
  const std::string id = json::parse(created->body)["id"];
  loop.wait_for(id,
                [](const json& r) { return r["state"] == "training" && !r["job_id"].is_null(); });
  loop.daemon->kill_hard();
  loop.world.set_polls_until_finished(2);
  loop.daemon->start();
  const json run = loop.wait_for(id, is_over);
  CHECK_MESSAGE(run["state"] == "succeeded", run.dump(2));
  loop.check_one_of_each(2);
  loop.check_no_secrets();
}

TEST_CASE("a daemon that dies right after starting the retrain job adopts that job at restart") {
  Loop loop;
  loop.daemon->stop();
  auto crashing = loop.make_daemon({{"DRIFTD_FAULT_EXIT_AFTER", "retrain:sent"}});
  crashing->start();
  auto created =
      crashing->client(loop.admin)
          .Post("/api/v1/retrains", json{{"model_version", "12"}}.dump(), "application/json");
  REQUIRE(created);
  REQUIRE(created->status == 202);
  const std::string id = json::parse(created->body)["id"];
  // The process ends itself at the fault point.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline && crashing->client().Get("/healthz")) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE_FALSE(crashing->client().Get("/healthz"));
  CHECK(crashing->log().find("fault injection: exiting at retrain point retrain:sent") !=
        std::string::npos);
  crashing.reset();
  CHECK(loop.jobs_of("retrain") == 1);

  loop.daemon = loop.make_daemon();
  loop.daemon->start();
  const json run = loop.wait_for(id, is_over);
  CHECK_MESSAGE(run["state"] == "succeeded", run.dump(2));
  CHECK(loop.jobs_of("retrain") == 1);
  CHECK(loop.world.requests(Route::studio_retrain).size() == 1);
  CHECK(loop.world.dispatches().size() == 1);
}
