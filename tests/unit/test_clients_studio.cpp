// The Studio client against the Studio stand-in: jobs, the quality gate's classify
// result, samples, and how failures come back.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "support/outside_world.hpp"

using namespace driftd;
using clients::RemoteErrorKind;
using standins::FaultKind;
using standins::Route;

TEST_CASE("a retrain job is started and polled until it finishes successfully") {
  test::OutsideWorld world;
  world.standins.set_polls_until_finished(3);
  const auto studio = world.studio();
  const auto job = studio.start_retrain();
  REQUIRE(job.ok());

  const auto first = studio.job_status(job.value());
  REQUIRE(first.ok());
  CHECK_FALSE(first->finished());
  CHECK_FALSE(first->finished_successful.has_value());
  const auto final_status = world.wait_for_job(job.value());
  CHECK(final_status.succeeded());
  CHECK(final_status.id == job.value());
  CHECK(world.standins.jobs().at(0).polls == 3);

  const auto sent = world.standins.requests(Route::studio_retrain).at(0);
  CHECK(sent.path == "/v1/api/1/jobs/retrain");
  CHECK(sent.header("x-api-key") == world.standins.options().ei_api_key);
  CHECK(sent.header("Accept") == "application/json");
  CHECK(sent.header("User-Agent").starts_with("driftd/"));
}

TEST_CASE("a failed job reports finishedSuccessful false and its log tail explains why") {
  test::OutsideWorld world;
  world.standins.fail_next_jobs("retrain", 1, {"Loading data...", "ERROR: out of memory"});
  const auto studio = world.studio();
  const auto job = studio.start_retrain();
  REQUIRE(job.ok());
  const auto status = world.wait_for_job(job.value());
  CHECK(status.finished());
  CHECK_FALSE(status.succeeded());
  CHECK(status.finished_successful == false);

  const auto log = studio.job_log(job.value(), 3);
  REQUIRE(log.ok());
  REQUIRE(log->size() == 3);  // the last three lines, oldest first
  CHECK(log->at(0).data == "Loading data...");
  CHECK(log->at(1).data == "ERROR: out of memory");
  CHECK(log->at(1).level == "error");
  CHECK(log->at(2).data == "Job failed (see above)");
  CHECK(world.standins.requests(Route::studio_job_stdout).at(0).query == "limit=3");

  const auto next = studio.start_retrain();  // only the next job was told to fail
  REQUIRE(next.ok());
  CHECK(world.wait_for_job(next.value()).succeeded());
}

TEST_CASE("classifying the test set gives the accuracy the quality gate reads") {
  test::OutsideWorld world;
  world.standins.set_test_accuracy(0.72);
  const auto studio = world.studio();

  const auto early = studio.classify_result("float32");  // no classify job has run yet
  REQUIRE_FALSE(early.ok());
  test::check_remote_error(early.error(), RemoteErrorKind::invalid);
  CHECK(early.error().message.find("start a classify job first") != std::string::npos);

  const auto job = studio.start_classify("float32");
  REQUIRE(job.ok());
  CHECK(world.wait_for_job(job.value()).succeeded());
  const auto result = studio.classify_result("float32");
  REQUIRE(result.ok());
  CHECK(result->total.good == 72);
  CHECK(result->total.bad == 28);
  CHECK(result->total.fraction().value() == doctest::Approx(0.72));
  REQUIRE(result->per_class.size() == 2);
  std::int64_t good = 0;
  for (const auto& [label, counts] : result->per_class) good += counts.good;
  CHECK(good == 72);

  const auto sent = world.standins.requests(Route::studio_classify).at(0);
  CHECK(nlohmann::json::parse(sent.body) ==
        nlohmann::json::parse(R"({"modelVariants":["float32"]})"));
  CHECK(sent.header("Content-Type") == "application/json");
  CHECK(world.standins.requests(Route::studio_classify_result).back().query == "variant=float32");
}

TEST_CASE("an empty test set gives no accuracy fraction") {
  test::OutsideWorld world;
  world.standins.set_classify_result({});
  const auto studio = world.studio();
  const auto job = studio.start_classify("int8");
  REQUIRE(job.ok());
  world.wait_for_job(job.value());
  const auto result = studio.classify_result("int8");
  REQUIRE(result.ok());
  CHECK_FALSE(result->total.fraction().has_value());
  CHECK(result->per_class.empty());
}

TEST_CASE("samples are listed newest first, page by page, and download as the same WAV") {
  test::OutsideWorld world;
  for (unsigned i = 0; i < 5; ++i) {
    world.standins.add_sample("training", "clip" + std::to_string(i) + ".wav",
                              i == 4 ? std::nullopt : std::optional<std::string>("dog"),
                              test::wav_clip(i, 3200, 16000));
  }
  world.standins.add_sample("testing", "held-out.wav", "cat", test::wav_clip(99));
  const auto studio = world.studio();

  std::vector<std::int64_t> ids;
  for (int offset = 0; offset < 6; offset += 2) {
    const auto page = studio.list_samples("training", 2, offset);
    REQUIRE(page.ok());
    CHECK(page->total_count == 5);
    for (const auto& s : page->samples) ids.push_back(s.id);
  }
  CHECK(ids == std::vector<std::int64_t>{5, 4, 3, 2, 1});

  const auto first = studio.list_samples("training", 1, 0);
  REQUIRE(first.ok());
  const auto& newest = first->samples.at(0);
  CHECK(newest.filename == "clip4");
  CHECK_FALSE(newest.label.has_value());
  CHECK(newest.category == "training");
  CHECK(newest.frequency_hz == 16000);
  CHECK(newest.values_count == 3200);
  CHECK(newest.total_length_ms.value() == doctest::Approx(200));

  const auto wav = studio.download_wav(2);
  REQUIRE(wav.ok());
  CHECK(wav.value() == test::wav_clip(1, 3200, 16000));
  CHECK(world.standins.requests(Route::studio_raw_data_wav).at(0).query == "axisIx=0");
}

TEST_CASE("uploaded clips are listed by Studio with their decoded labels") {
  test::OutsideWorld world;
  REQUIRE(world.ingestion()
              .upload({{"x.wav", test::wav_clip(3)}}, test::upload_options("baby crying"))
              .ok());
  const auto page = world.studio().list_samples("training", 10, 0);
  REQUIRE(page.ok());
  REQUIRE(page->samples.size() == 1);
  CHECK(page->samples[0].label == "baby crying");
}

TEST_CASE("Studio refusals are permanent errors with Studio's reason") {
  test::OutsideWorld world;
  const auto studio = world.studio();
  const auto missing_job = studio.job_status(999);
  REQUIRE_FALSE(missing_job.ok());
  test::check_remote_error(missing_job.error(), RemoteErrorKind::not_found);
  CHECK(missing_job.error().message.find("Job not found") != std::string::npos);
  CHECK_FALSE(missing_job.error().transient());

  const auto missing_sample = studio.download_wav(42);
  REQUIRE_FALSE(missing_sample.ok());
  test::check_remote_error(missing_sample.error(), RemoteErrorKind::not_found);

  auto other_project = world.edge_impulse;
  other_project.project_id = 77;
  const clients::StudioClient elsewhere(world.http, other_project,
                                        world.standins.options().ei_api_key);
  const auto not_mine = elsewhere.start_retrain();
  REQUIRE_FALSE(not_mine.ok());
  test::check_remote_error(not_mine.error(), RemoteErrorKind::not_found);

  const clients::StudioClient wrong_key(world.http, world.edge_impulse, "ei_not_the_key_1234");
  const auto denied = wrong_key.start_retrain();
  REQUIRE_FALSE(denied.ok());
  test::check_remote_error(denied.error(), RemoteErrorKind::auth);
  CHECK(denied.error().http_status == 401);
}

TEST_CASE("transient Studio failures are classified with the wait the service asks for") {
  test::OutsideWorld world;
  const auto studio = world.studio();
  const auto job = studio.start_retrain();
  REQUIRE(job.ok());

  world.standins.inject_fault(
      Route::studio_job_status,
      test::rate_fault(FaultKind::too_many_requests, std::chrono::seconds(3)));
  const auto limited = studio.job_status(job.value());
  REQUIRE_FALSE(limited.ok());
  test::check_remote_error(limited.error(), RemoteErrorKind::rate_limited);
  CHECK(limited.error().retry_after == std::chrono::milliseconds(3000));

  world.standins.inject_fault(
      Route::studio_job_status,
      test::rate_fault(FaultKind::too_many_requests, std::chrono::seconds(20), true));
  const auto dated = studio.job_status(job.value());
  REQUIRE_FALSE(dated.ok());
  test::check_remote_error(dated.error(), RemoteErrorKind::rate_limited);
  REQUIRE(dated.error().retry_after.has_value());
  CHECK(*dated.error().retry_after > std::chrono::seconds(15));  // a date has 1 s resolution
  CHECK(*dated.error().retry_after <= std::chrono::seconds(22));

  world.standins.inject_fault(Route::studio_job_status, test::fault(FaultKind::server_error, 2));
  for (int i = 0; i < 2; ++i) {
    const auto broken = studio.job_status(job.value());
    REQUIRE_FALSE(broken.ok());
    test::check_remote_error(broken.error(), RemoteErrorKind::server_error);
    CHECK(broken.error().transient());
  }
  CHECK(studio.job_status(job.value()).ok());  // the fault was served exactly twice

  world.standins.inject_fault(Route::studio_job_status, test::slow_fault(std::chrono::seconds(5)));
  const auto slow_client = world.studio({std::chrono::seconds(2), std::chrono::milliseconds(300)});
  const auto slow = slow_client.job_status(job.value());
  REQUIRE_FALSE(slow.ok());
  test::check_remote_error(slow.error(), RemoteErrorKind::timeout);
  CHECK(slow.error().transient());

  world.standins.inject_fault(Route::studio_job_status, test::fault(FaultKind::drop_connection));
  const auto dropped = studio.job_status(job.value());
  REQUIRE_FALSE(dropped.ok());
  test::check_remote_error(dropped.error(), RemoteErrorKind::transport);
  CHECK(dropped.error().transient());
}
