// The live drift evaluator with a real store: passes over the buckets, episodes calling the
// retrain trigger once, refused triggers shown with the evaluation, newer model versions
// ending episodes, answers made on the spot, and a cost that ignores old data.
#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "driftd/jobs/drift_evaluator.hpp"
#include "driftd/jobs/retrain_trigger.hpp"
#include "driftd/store/drift_evaluations.hpp"
#include "driftd/store/references.hpp"
#include "driftd/store/results.hpp"
#include "driftd/store/retrain_runs.hpp"
#include "support/drift_engine_fixtures.hpp"
#include "support/store_scratch.hpp"

using namespace driftd;
using nlohmann::json;

namespace {

constexpr util::UnixMs k_hour = 3'600'000;
constexpr util::UnixMs k_minute = 60'000;
constexpr util::UnixMs k_t0 = 1'800'000'000'000 / k_hour * k_hour;

struct Fixture {
  test::ScratchDir dir;
  std::unique_ptr<store::Store> store = test::open_store(dir.path() / "driftd.db");
  config::Config config;
  std::unique_ptr<jobs::DriftEvaluator> evaluator;

  Fixture() {
    config.retrain.dry_run = true;
    evaluator = std::make_unique<jobs::DriftEvaluator>(*store, config);
    REQUIRE(evaluator->prepare().ok());
    test::save_test_reference(*store, "12", test::normal_reference(1, 400, 4), k_t0 - 48 * k_hour);
  }

  // `units` units of 4 windows N(shift, 1) for 4 devices, spread over the 6 hours before `end`.
  void add_data(const std::string& version, util::UnixMs end, int units, double shift,
                std::uint64_t seed) {
    test::NormalSource source(seed);
    for (int i = 0; i < units; ++i) {
      const util::UnixMs t = end - 6 * k_hour + (i * 6 * k_hour) / units;
      test::store_unit(*store, "dev-" + std::to_string(i % 4), version, t,
                       test::normal_unit(source, 4, test::k_engine_width, shift));
    }
  }

  jobs::DriftPassReport pass(util::UnixMs now) {
    auto report = evaluator->run_once(now);
    REQUIRE_MESSAGE(report.ok(), (report.ok() ? "" : report.error().message));
    return *report;
  }

  json answer(std::optional<std::string> device = std::nullopt) {
    auto body = evaluator->answer(std::string("12"), device, k_t0 + 10 * k_hour);
    REQUIRE_MESSAGE(body.ok(), (body.ok() ? "" : body.error().message));
    return *body;
  }

  std::vector<store::RetrainRun> runs() {
    auto list = store::list_runs(*store);
    REQUIRE(list.ok());
    return *list;
  }
};

}  // namespace

TEST_CASE("a pass evaluates the fleet and every device and stores them") {
  Fixture f;
  f.add_data("12", k_t0, 100, 0.0, 7);
  const auto report = f.pass(k_t0);
  REQUIRE(report.evaluated == std::vector<std::string>{"12"});
  CHECK(report.evaluations_stored == 5);  // the fleet and 4 devices
  const json fleet = f.answer();
  CHECK(fleet["status"] == "ok");
  CHECK(fleet["device_id"].is_null());
  CHECK(fleet["current_windows"] == 400);
  CHECK(fleet["reference_windows"] == 1600);
  CHECK(fleet["features"].size() == test::k_engine_width);
  CHECK(fleet["thresholds"]["psi_warn"] == 0.1);
  CHECK(fleet["thresholds"]["psi_alarm"] == 0.25);
  CHECK(fleet["reference"]["model_version"] == "12");
  CHECK(fleet["reference"]["fallback"] == false);
  CHECK_FALSE(fleet.contains("retrain"));
  const json device = f.answer("dev-1");
  CHECK(device["device_id"] == "dev-1");
  CHECK(device["current_windows"] == 100);
  CHECK(device["status"] == "insufficient_data");  // 100 windows < min_windows 200
}

TEST_CASE("consecutive alarms start one episode and exactly one retrain run") {
  Fixture f;
  f.add_data("12", k_t0, 120, 1.0, 8);
  std::vector<std::string> created;
  for (int i = 0; i < 6; ++i) {
    const auto report = f.pass(k_t0 + i * 5 * k_minute);
    created.insert(created.end(), report.runs_created.begin(), report.runs_created.end());
    if (i < 2) CHECK(report.runs_created.empty());
  }
  REQUIRE(created.size() == 1);
  const auto runs = f.runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].trigger == store::RunTrigger::drift);
  CHECK(runs[0].episode_id == std::optional<std::string>("12#1"));
  CHECK(runs[0].dry_run);
  CHECK(runs[0].model_version == "12");
  const json fleet = f.answer();
  CHECK(fleet["status"] == "alarm");
  CHECK(fleet["scope"] == "fleet");
  CHECK_FALSE(fleet.contains("retrain"));
  auto episode = store::load_episode(*f.store, "12");
  REQUIRE(episode.ok());
  REQUIRE(episode->has_value());
  CHECK((*episode)->run_id == runs[0].id);
  CHECK(json::parse((*episode)->state)["in_episode"] == true);
}

TEST_CASE("a trigger refused by an active run shows blocked_by with the evaluation") {
  Fixture f;
  jobs::RetrainRequest manual;
  manual.model_version = "12";
  auto active = jobs::request_retrain(*f.store, f.config, manual, k_t0 - k_hour);
  REQUIRE(active.ok());
  REQUIRE(active->run);
  f.add_data("12", k_t0, 120, 1.0, 9);
  for (int i = 0; i < 3; ++i) CHECK(f.pass(k_t0 + i * 5 * k_minute).runs_created.empty());
  const json fleet = f.answer();
  REQUIRE(fleet.contains("retrain"));
  CHECK(fleet["retrain"]["blocked_by"] == "active_run");
  CHECK(fleet["retrain"]["run_id"] == active->run->id);
  CHECK(f.runs().size() == 1);
}

TEST_CASE("a trigger refused by the cooldown shows until when it ends, then one run starts") {
  Fixture f;
  jobs::RetrainRequest manual;
  manual.model_version = "12";
  auto earlier = jobs::request_retrain(*f.store, f.config, manual, k_t0 - 2 * k_hour);
  REQUIRE(earlier.ok());
  store::RunChange done;
  done.run_id = earlier->run->id;
  done.at = k_t0 - k_hour;
  done.state = store::RunState::succeeded;
  REQUIRE(store::apply_run_change(*f.store, done).ok());
  f.add_data("12", k_t0, 120, 1.0, 10);
  for (int i = 0; i < 3; ++i) f.pass(k_t0 + i * 5 * k_minute);
  const json fleet = f.answer();
  REQUIRE(fleet.contains("retrain"));
  CHECK(fleet["retrain"]["blocked_by"] == "cooldown");
  CHECK(fleet["retrain"]["until"] == util::format_rfc3339(k_t0 - k_hour + 24 * k_hour));
  // Once the cooldown has passed (and the drift lasts), the episode gets its run.
  const util::UnixMs later = k_t0 + 24 * k_hour;
  f.add_data("12", later, 120, 1.0, 11);
  const auto report = f.pass(later);
  CHECK(report.runs_created.size() == 1);
  CHECK(f.runs().size() == 2);
  CHECK(f.pass(later + 5 * k_minute).runs_created.empty());
}

TEST_CASE("a newer model version ends the older one's episode for good") {
  Fixture f;
  f.add_data("12", k_t0, 120, 1.0, 12);
  f.pass(k_t0);
  f.pass(k_t0 + 5 * k_minute);
  // Devices move to version 13 (first seen later, and reported last); 12's data still drifts.
  f.add_data("13", k_t0 + 2 * k_hour, 8, 0.0, 13);
  f.pass(k_t0 + 10 * k_minute + 2 * k_hour);
  f.pass(k_t0 + 15 * k_minute + 2 * k_hour);
  CHECK(f.runs().empty());
  auto episode = store::load_episode(*f.store, "12");
  REQUIRE(episode.ok());
  REQUIRE(episode->has_value());
  CHECK(json::parse((*episode)->state)["superseded_by"] == "13");
}

TEST_CASE("an answer is made on the spot when nothing was evaluated yet") {
  Fixture f;
  CHECK(f.evaluator->answer(std::nullopt, std::nullopt, k_t0).error().code == "not_found");
  f.add_data("13", k_t0, 10, 0.0, 14);
  // 13 has no reference of its own: scored against 12's, as a fallback.
  auto body = f.evaluator->answer(std::nullopt, std::nullopt, k_t0);
  REQUIRE(body.ok());
  CHECK((*body)["model_version"] == "13");
  CHECK((*body)["status"] == "insufficient_data");
  CHECK((*body)["reference"]["model_version"] == "12");
  CHECK((*body)["reference"]["fallback"] == true);
  // Stored, so history shows it; not counted in the episode policy.
  auto stored = store::latest_evaluation(*f.store, "13", std::nullopt);
  REQUIRE(stored.ok());
  CHECK(stored->has_value());
  auto episode = store::load_episode(*f.store, "13");
  REQUIRE(episode.ok());
  CHECK_FALSE(episode->has_value());
  // A device without data answers an empty evaluation; an unknown version is not found.
  auto quiet = f.evaluator->answer(std::string("13"), std::string("nobody"), k_t0);
  REQUIRE(quiet.ok());
  CHECK((*quiet)["current_windows"] == 0);
  CHECK((*quiet)["status"] == "insufficient_data");
  CHECK(f.evaluator->answer(std::string("99"), std::nullopt, k_t0).error().code == "not_found");
}

TEST_CASE("a version falling back to a retrain's successor reference adopts it as its own") {
  Fixture f;
  // The successor of a run on 12, newer than 12's reference; 13 is the retrained model.
  REQUIRE(store::save_reference(*f.store, "retrain:r-1", "retrain:r-1",
                                test::normal_reference(2, 400, 4), k_t0 - k_hour)
              .ok());
  f.add_data("13", k_t0, 10, 0.0, 15);
  auto body = f.evaluator->answer(std::string("13"), std::nullopt, k_t0);
  REQUIRE(body.ok());
  CHECK((*body)["reference"]["model_version"] == "13");
  CHECK((*body)["reference"]["fallback"] == false);
  auto own = store::load_active_reference(*f.store, "13");
  REQUIRE(own.ok());
  REQUIRE(own->has_value());
  CHECK((*own)->info.created == k_t0 - k_hour);
  // A reference saved later for another version does not take 13's place; 12 keeps its own.
  test::save_test_reference(*f.store, "14", test::normal_reference(3, 400, 4), k_t0);
  auto again = f.evaluator->answer(std::string("13"), std::nullopt, k_t0 + k_minute);
  REQUIRE(again.ok());
  CHECK((*again)["reference"]["id"] == (*own)->info.id);
  auto twelve = store::load_active_reference(*f.store, "12");
  REQUIRE(twelve.ok());
  REQUIRE(twelve->has_value());
  CHECK((*twelve)->info.created == k_t0 - 48 * k_hour);
}

TEST_CASE("predictions are compared with the version's first window of results") {
  Fixture f;
  std::vector<store::ResultRecord> results;
  for (int i = 0; i < 400; ++i) {
    store::ResultRecord r;
    r.device_id = "dev-" + std::to_string(i % 4);
    r.model_version = "12";
    r.timestamp = k_t0 + i * 4 * k_minute;  // 26.7 h of results
    r.label = i % 4 == 0 ? "crying" : "sleeping";
    r.confidence = 0.8 + 0.01 * (i % 20);
    results.push_back(r);
  }
  REQUIRE(store::insert_results(*f.store, results, k_t0).ok());
  auto body = f.evaluator->evaluate_now(std::string("12"), std::nullopt, k_t0 + 27 * k_hour);
  REQUIRE(body.ok());
  REQUIRE((*body)["prediction_reference"].is_object());
  CHECK((*body)["prediction_reference"]["from"] == util::format_rfc3339(k_t0));
  CHECK((*body)["predictions"]["reference_mean_confidence"].get<double>() ==
        doctest::Approx(0.895).epsilon(0.01));
  CHECK((*body)["predictions"]["labels"].is_object());
}

TEST_CASE("the cost of a pass does not grow with data stored before its window") {
  Fixture f;
  f.add_data("12", k_t0, 48, 0.0, 15);
  const auto small = f.pass(k_t0);
  // Ten times as much data, all older than the window.
  for (int day = 1; day <= 4; ++day)
    f.add_data("12", k_t0 - day * 24 * k_hour - k_hour, 120, 0.0, 16 + day);
  const auto large = f.pass(k_t0 + 5 * k_minute);
  CHECK(large.bucket_rows_read == small.bucket_rows_read);
  CHECK(large.bucket_rows_read == 24);  // 4 devices × 6 hours
}

TEST_CASE("a pass deletes results, windows and history past retention, once an hour") {
  Fixture f;
  f.config.storage.results_retention = std::chrono::hours(48);
  f.evaluator = std::make_unique<jobs::DriftEvaluator>(*f.store, f.config);
  REQUIRE(f.evaluator->prepare().ok());
  const auto count = [&](const std::string& table) {
    return f.store
        ->read([&](store::Connection& c) -> Result<std::int64_t> {
          return c.db().execAndGet("SELECT COUNT(*) FROM " + table).getInt64();
        })
        .value();
  };
  // Data from three days ago and from the last six hours.
  f.add_data("12", k_t0 - 72 * k_hour, 40, 0.0, 31);
  f.add_data("12", k_t0, 48, 0.0, 32);
  std::vector<store::ResultRecord> results;
  for (int i = 0; i < 10; ++i) {
    store::ResultRecord r;
    r.device_id = "dev-0";
    r.result_id = "r" + std::to_string(i);
    r.model_version = "12";
    r.timestamp = (i < 4 ? k_t0 - 72 * k_hour : k_t0 - k_hour) + i;
    r.label = "crying";
    r.confidence = 0.9;
    results.push_back(r);
  }
  REQUIRE(store::insert_results(*f.store, results, k_t0).ok());
  const auto windows_before = count("window_features");
  const auto buckets_before = count("drift_buckets");
  REQUIRE(windows_before == 88 * 4);

  f.pass(k_t0);
  CHECK(count("results") == 6);
  CHECK(count("results WHERE timestamp_ms < " + std::to_string(k_t0 - 48 * k_hour)) == 0);
  CHECK(count("window_features") == 48 * 4);
  CHECK(count("drift_buckets") < buckets_before);
  CHECK(count("drift_buckets WHERE bucket_start < " + std::to_string(k_t0 - 49 * k_hour)) == 0);
  // The window's data is all there: the fleet is still evaluated on it.
  auto now = f.evaluator->evaluate_now(std::string("12"), std::nullopt, k_t0);
  REQUIRE(now.ok());
  CHECK((*now)["current_windows"] == 48 * 4);

  // Within the hour, nothing is deleted again; after it, what has aged out is.
  store::ResultRecord late = results.front();
  late.result_id = "late";
  late.timestamp = k_t0 - 60 * k_hour;
  store::ResultRecord fresh = results.back();
  fresh.result_id = "fresh";
  REQUIRE(store::insert_results(*f.store, {late, fresh}, k_t0).ok());
  f.pass(k_t0 + 30 * k_minute);
  CHECK(count("results") == 8);
  f.pass(k_t0 + 61 * k_minute);
  CHECK(count("results") == 7);
}
