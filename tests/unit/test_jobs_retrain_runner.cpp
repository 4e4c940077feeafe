// The retrain runner against the stand-ins on loopback, with a real store: the whole way to
// succeeded, the quality gate's refusals, dry runs and missing secrets.
#include <doctest/doctest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "driftd/store/clips.hpp"
#include "support/retrain_fixture.hpp"

using namespace driftd;
using store::RunState;
using test::RetrainBench;

namespace {
store::ClipQuery clips_of_12() {
  store::ClipQuery q;
  q.model_version = "12";
  return q;
}
}  // namespace

TEST_CASE("a run uploads the clips, retrains, tests and dispatches exactly once") {
  RetrainBench bench;
  const auto clip_ids =
      bench.add_clips({"nursery-01", "nursery-02", "kitchen-01"}, {"crying", "sleeping"});
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const auto run = bench.drive(*runner, id);

  CHECK_MESSAGE(run.state == RunState::succeeded, bench.step_text(id));
  CHECK(run.clips_uploaded == static_cast<std::int64_t>(clip_ids.size()));
  CHECK(bench.samples() == clip_ids.size());
  CHECK(bench.jobs_of("retrain") == 1);
  CHECK(bench.jobs_of("classify") == 1);
  REQUIRE(bench.dispatches() == 1);
  REQUIRE(run.job_id.has_value());
  REQUIRE(run.test_job_id.has_value());
  CHECK(run.test_accuracy == doctest::Approx(0.9));
  REQUIRE(run.test_per_class.has_value());
  CHECK_FALSE(run.test_per_class->empty());
  CHECK_FALSE(run.error.has_value());

  // The dispatch as GitHub received it.
  const auto dispatch = bench.world.standins.dispatches().front();
  CHECK(dispatch.repository == bench.config.github.repository);
  CHECK(dispatch.event_type == "edge-impulse-retrained");
  const auto payload = nlohmann::json::parse(dispatch.client_payload);
  CHECK(payload["run_id"] == id);
  CHECK(payload["job_id"] == *run.job_id);
  CHECK(payload["project_id"] == bench.config.edge_impulse.project_id);
  CHECK(payload["model_version"] == "12");
  CHECK(payload["test_accuracy"] == doctest::Approx(0.9));
  CHECK(payload.size() <= 10);

  // Uploads: labelled, no duplicates allowed, metadata naming the device.
  for (const auto& req : bench.world.standins.requests(standins::Route::ingestion_files)) {
    CHECK(req.header("x-disallow-duplicates") == "1");
    CHECK_FALSE(req.header("x-label").empty());
    const auto meta = nlohmann::json::parse(req.header("x-metadata"), nullptr, false);
    CHECK(meta.is_object());
    CHECK(meta.value("model_version", "") == "12");
    CHECK_FALSE(meta.value("device_id", "").empty());
  }
  std::set<std::string> labels;
  for (const auto& s : bench.world.standins.samples()) labels.insert(s.label.value_or(""));
  CHECK(labels == std::set<std::string>{"crying", "sleeping"});

  // Every outside call is in the ledger with its outcome.
  const auto calls = bench.calls(id);
  CHECK_FALSE(calls.empty());
  for (const auto& c : calls) CHECK(c.state == store::CallState::done);
  // The pins are released once the run is over.
  auto pinned = store::list_clips(*bench.store, clips_of_12());
  REQUIRE(pinned.ok());
  for (const auto& c : *pinned) CHECK_FALSE(c.pinned_by.has_value());
  // Each state entered is counted.
  CHECK(bench.metrics.retrain_runs.labels({"succeeded"}).value() == 1);
  CHECK(bench.metrics.retrain_runs.labels({"dispatching"}).value() == 1);
  CHECK(bench.metrics.retrain_runs.labels({"pending"}).value() == 1);
}

TEST_CASE("the runner keeps its hands off a finished run") {
  RetrainBench bench;
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  REQUIRE(bench.drive(*runner, id).state == RunState::succeeded);
  const auto requests = bench.world.standins.requests().size();
  for (int i = 0; i < 5; ++i) bench.tick(*runner);
  CHECK(bench.world.standins.requests().size() == requests);
}

TEST_CASE("clips are pinned while they wait for their upload") {
  RetrainBench bench;
  bench.add_clips({"dev-a"}, {"yes"}, 3);
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  bench.tick(*runner);  // pending → uploading: the choice is made and pinned
  CHECK(bench.run(id).state == RunState::uploading);
  auto clips = store::list_clips(*bench.store, clips_of_12());
  REQUIRE(clips.ok());
  REQUIRE(clips->size() == 3);
  for (const auto& c : *clips) CHECK(c.pinned_by == id);
}

TEST_CASE("a model below the quality gate is rejected and nothing is dispatched") {
  RetrainBench bench;
  bench.world.standins.set_test_accuracy(0.72);
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const auto run = bench.drive(*runner, id);
  CHECK(run.state == RunState::rejected);
  CHECK(bench.dispatches() == 0);
  CHECK(bench.requests(standins::Route::github_dispatch) == 0);
  REQUIRE(run.error.has_value());
  CHECK(run.error->find("0.72") != std::string::npos);
  CHECK(run.error->find("0.8") != std::string::npos);
  CHECK(run.test_accuracy == doctest::Approx(0.72));
}

TEST_CASE("a test set without judged samples rejects the run") {
  RetrainBench bench;
  bench.world.standins.set_classify_result({});
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const auto run = bench.drive(*runner, id);
  CHECK(run.state == RunState::rejected);
  CHECK(bench.dispatches() == 0);
  REQUIRE(run.error.has_value());
  CHECK(run.error->find("no test data") != std::string::npos);
  CHECK_FALSE(run.test_accuracy.has_value());
}

TEST_CASE("with the gate off there is no classify job and no accuracy in the dispatch") {
  RetrainBench bench;
  bench.config.retrain.min_test_accuracy = 0;
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const auto run = bench.drive(*runner, id);
  CHECK(run.state == RunState::succeeded);
  CHECK(bench.jobs_of("classify") == 0);
  CHECK_FALSE(run.test_accuracy.has_value());
  CHECK_FALSE(run.test_per_class.has_value());
  REQUIRE(bench.dispatches() == 1);
  const auto payload = nlohmann::json::parse(bench.world.standins.dispatches()[0].client_payload);
  CHECK_FALSE(payload.contains("test_accuracy"));
}

TEST_CASE("low-confidence clips are uploaded unlabelled and the unlabeled policy labels none") {
  RetrainBench bench;
  bench.add_clips({"dev-a"}, {"yes"}, 2, 0.3);
  bench.config.retrain.max_upload_clips = 10;
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  REQUIRE(bench.drive(*runner, id).state == RunState::succeeded);
  for (const auto& req : bench.world.standins.requests(standins::Route::ingestion_files)) {
    CHECK(req.header("x-no-label") == "1");
    CHECK(req.header("x-label").empty());
  }
  for (const auto& s : bench.world.standins.samples()) CHECK_FALSE(s.label.has_value());
}

TEST_CASE("a dry run goes through every state without calling anything outside") {
  RetrainBench bench;
  bench.config.retrain.dry_run = true;
  bench.add_clips({"dev-a", "dev-b"}, {"yes", "no"});
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const auto run = bench.drive(*runner, id);
  CHECK(run.state == RunState::succeeded);
  CHECK(run.dry_run);
  CHECK(bench.world.standins.requests().empty());
  CHECK(bench.world.observer->records().empty());
  CHECK(bench.calls(id).empty());
  const std::string text = bench.step_text(id);
  for (const char* what : {"upload of", "retrain job", "classify job", "repository_dispatch"}) {
    CHECK_MESSAGE(text.find(std::string(what)) != std::string::npos, text);
  }
  std::size_t not_sent = 0;
  for (auto at = text.find("not sent (dry run)"); at != std::string::npos;
       at = text.find("not sent (dry run)", at + 1)) {
    ++not_sent;
  }
  CHECK(not_sent == 4);
  CHECK(bench.metrics.outside_requests.labels({"github", "not_sent"}).value() == 1);
}

TEST_CASE("a live run without the API key fails and says which variable to set") {
  RetrainBench bench;
  const std::string id = bench.start_run();
  auto options = bench.options();
  options.ei_api_key.reset();
  jobs::RetrainRunner runner(*bench.store, bench.config, std::move(options));
  const auto run = bench.drive(runner, id);
  CHECK(run.state == RunState::failed);
  REQUIRE(run.error.has_value());
  CHECK(run.error->find("EI_API_KEY") != std::string::npos);
  CHECK(bench.world.standins.requests().empty());
}

TEST_CASE("a retrain job that never finishes fails the run after job_timeout") {
  RetrainBench bench;
  bench.world.standins.set_polls_until_finished(-1);
  bench.config.retrain.job_timeout = std::chrono::seconds(5);
  bench.config.retrain.poll_interval = std::chrono::seconds(1);
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const auto run = bench.drive(*runner, id);
  CHECK(run.state == RunState::failed);
  REQUIRE(run.error.has_value());
  CHECK(run.error->find("did not finish") != std::string::npos);
  CHECK(bench.dispatches() == 0);
  CHECK(bench.requests(standins::Route::studio_job_status) >= 5);
}
