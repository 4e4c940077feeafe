// The retrain runner when Edge Impulse or GitHub fail: transient failures are retried (with
// the waits the services ask for), permanent ones fail the run with the reason, and no retry
// starts a second job or sends a second dispatch.
#include <doctest/doctest.h>

#include <thread>

#include "support/retrain_fixture.hpp"

using namespace driftd;
using standins::FaultKind;
using standins::Route;
using store::RunState;
using test::RetrainBench;

namespace {

// Ticks until the run has failed `attempts` times in a row; returns the time of that tick.
util::UnixMs tick_until_attempts(RetrainBench& bench, jobs::RetrainRunner& runner,
                                 const std::string& id, int attempts) {
  for (int i = 0; i < 100; ++i) {
    bench.tick(runner);
    if (bench.run(id).attempts >= attempts) return bench.now;
  }
  FAIL("the run never failed " << attempts << " times: " << bench.step_text(id));
  return 0;
}

void check_one_of_each(RetrainBench& bench) {
  CHECK(bench.jobs_of("retrain") == 1);
  CHECK(bench.jobs_of("classify") == 1);
  CHECK(bench.dispatches() == 1);
}

}  // namespace

TEST_CASE("server errors on every outside call are retried and the run still succeeds once") {
  RetrainBench bench;
  const auto clips = bench.add_clips({"dev-a"}, {"yes"}, 2);
  for (Route r : {Route::ingestion_files, Route::studio_retrain, Route::studio_job_status,
                  Route::studio_classify, Route::studio_classify_result, Route::github_dispatch}) {
    bench.world.standins.inject_fault(r, test::fault(FaultKind::server_error, 2));
  }
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const auto run = bench.drive(*runner, id);
  CHECK_MESSAGE(run.state == RunState::succeeded, bench.step_text(id));
  check_one_of_each(bench);
  CHECK(bench.samples() == clips.size());
  CHECK(bench.step_text(id).find("server_error") != std::string::npos);
  CHECK(bench.requests(Route::github_dispatch) == 3);
}

TEST_CASE("a 429 is retried no sooner than its Retry-After") {
  RetrainBench bench;
  bench.world.standins.inject_fault(
      Route::studio_retrain,
      test::rate_fault(FaultKind::too_many_requests, std::chrono::seconds(30)));
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const util::UnixMs failed_at = tick_until_attempts(bench, *runner, id, 1);
  CHECK(bench.run(id).next_attempt_at >= failed_at + 30'000);
  CHECK(bench.step_text(id).find("asked to wait 30.0 s") != std::string::npos);
  CHECK(bench.drive(*runner, id).state == RunState::succeeded);
  check_one_of_each(bench);
}

TEST_CASE("GitHub's rate-limit 403 is retried after x-ratelimit-reset") {
  RetrainBench bench;
  bench.world.standins.inject_fault(
      Route::github_dispatch,
      test::rate_fault(FaultKind::github_rate_limit, std::chrono::seconds(20)));
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const util::UnixMs failed_at = tick_until_attempts(bench, *runner, id, 1);
  CHECK(bench.run(id).state == RunState::dispatching);
  CHECK(bench.run(id).next_attempt_at >= failed_at + 18'000);
  CHECK(bench.drive(*runner, id).state == RunState::succeeded);
  CHECK(bench.dispatches() == 1);
}

TEST_CASE("a status poll that times out is retried") {
  RetrainBench bench;
  bench.world.standins.inject_fault(Route::studio_job_status,
                                    test::slow_fault(std::chrono::milliseconds(2500)));
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const auto run = bench.drive(*runner, id);
  CHECK(run.state == RunState::succeeded);
  CHECK(bench.step_text(id).find("timeout") != std::string::npos);
  check_one_of_each(bench);
}

TEST_CASE("a retrain request that timed out after starting a job is adopted, not repeated") {
  RetrainBench bench;
  bench.world.standins.inject_fault(Route::studio_retrain,
                                    test::slow_fault(std::chrono::milliseconds(2600)));
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  tick_until_attempts(bench, *runner, id, 1);
  // The stand-in answers late but starts the job all the same.
  for (int i = 0; i < 100 && bench.jobs_of("retrain") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(bench.jobs_of("retrain") == 1);
  const auto run = bench.drive(*runner, id);
  CHECK_MESSAGE(run.state == RunState::succeeded, bench.step_text(id));
  check_one_of_each(bench);
  CHECK(bench.step_text(id).find("found in the project's jobs") != std::string::npos);
  CHECK(bench.requests(Route::studio_retrain) == 1);
}

TEST_CASE("dropped connections are retried without a second job or dispatch") {
  RetrainBench bench;
  bench.add_clips({"dev-a"}, {"yes"}, 2);
  for (Route r : {Route::ingestion_files, Route::studio_retrain, Route::studio_classify,
                  Route::github_dispatch}) {
    bench.world.standins.inject_fault(r, test::fault(FaultKind::drop_connection));
  }
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const auto run = bench.drive(*runner, id);
  CHECK_MESSAGE(run.state == RunState::succeeded, bench.step_text(id));
  check_one_of_each(bench);
  CHECK(bench.samples() == 2);
  CHECK(bench.step_text(id).find("transport") != std::string::npos);
}

TEST_CASE("a failed retrain job fails the run with the end of its log") {
  RetrainBench bench;
  bench.world.standins.fail_next_jobs("retrain", 1, {"Epoch 3/30: loss is NaN", "Out of memory"});
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const auto run = bench.drive(*runner, id);
  CHECK(run.state == RunState::failed);
  REQUIRE(run.error.has_value());
  CHECK(run.error->find("retrain job") != std::string::npos);
  CHECK(run.error->find("loss is NaN") != std::string::npos);
  CHECK(bench.jobs_of("classify") == 0);
  CHECK(bench.dispatches() == 0);
}

TEST_CASE("permanent errors fail the run at once with the reason") {
  SUBCASE("a refused Edge Impulse key (401)") {
    RetrainBench bench;
    const std::string id = bench.start_run();
    auto options = bench.options();
    options.ei_api_key = "ei_not_the_right_key";
    jobs::RetrainRunner runner(*bench.store, bench.config, std::move(options));
    const auto run = bench.drive(runner, id);
    CHECK(run.state == RunState::failed);
    REQUIRE(run.error.has_value());
    CHECK(run.error->find("(auth)") != std::string::npos);
    CHECK(run.error->find("ei_not_the_right_key") == std::string::npos);
    CHECK(bench.requests(Route::studio_retrain) == 1);
  }
  SUBCASE("an unknown project (404)") {
    RetrainBench bench;
    bench.config.edge_impulse.project_id = 424242;
    const std::string id = bench.start_run();
    auto runner = bench.runner();
    const auto run = bench.drive(*runner, id);
    CHECK(run.state == RunState::failed);
    CHECK(run.error.value_or("").find("(not_found)") != std::string::npos);
    CHECK(bench.requests(Route::studio_retrain) == 1);
  }
  SUBCASE("an unknown repository (404) and a refused token (401)") {
    for (bool bad_token : {false, true}) {
      RetrainBench bench;
      auto options = bench.options();
      if (bad_token) {
        options.github_token = "ghp_wrong";
      } else {
        bench.config.github.repository = "example/elsewhere";
      }
      const std::string id = bench.start_run();
      jobs::RetrainRunner runner(*bench.store, bench.config, std::move(options));
      const auto run = bench.drive(runner, id);
      CHECK(run.state == RunState::failed);
      CHECK(run.error.value_or("").find(bad_token ? "(auth)" : "(not_found)") != std::string::npos);
      CHECK(bench.requests(Route::github_dispatch) == 1);
      CHECK(bench.dispatches() == 0);
    }
  }
  SUBCASE("an invalid dispatch (422 kind) is refused without retrying") {
    RetrainBench bench;
    bench.config.github.event_type = std::string(101, 'x');
    const std::string id = bench.start_run();
    auto runner = bench.runner();
    const auto run = bench.drive(*runner, id);
    CHECK(run.state == RunState::failed);
    CHECK(run.error.value_or("").find("(invalid)") != std::string::npos);
    CHECK(bench.dispatches() == 0);
  }
}

TEST_CASE("a transient failure that outlasts job_timeout fails the run") {
  RetrainBench bench;
  bench.config.retrain.job_timeout = std::chrono::seconds(20);
  bench.world.standins.inject_fault(Route::studio_classify,
                                    test::fault(FaultKind::too_many_requests, 1000));
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const auto run = bench.drive(*runner, id);
  CHECK(run.state == RunState::failed);
  CHECK(run.error.value_or("").find("gave up") != std::string::npos);
  CHECK(bench.dispatches() == 0);
  CHECK(bench.jobs_of("classify") == 0);
}
