// Retrain runs in SQLite: creation under the one-active-run rule, changes, the step log and
// the outside-call ledger (intent before, outcome after; lost intents closed).
#include <doctest/doctest.h>

#include "driftd/store/retrain_clips.hpp"
#include "driftd/store/retrain_runs.hpp"
#include "support/store_scratch.hpp"

using namespace driftd;
using store::RunState;

namespace {

std::optional<store::RetrainRun> create(store::Store& s, const std::string& id,
                                        const std::string& version, util::UnixMs now) {
  auto created = store::create_run_if(
      s, version, std::nullopt,
      [&](const store::RunFacts&) {
        return std::optional<store::NewRun>(store::NewRun{id, store::RunTrigger::manual, false,
                                                          version, "why", std::nullopt,
                                                          std::nullopt, "first"});
      },
      now);
  if (!created) return std::nullopt;
  return *created;
}

}  // namespace

TEST_CASE("a run is created pending and read back with its first step") {
  test::ScratchDir dir;
  auto s = test::open_store(dir.path() / "driftd.db");
  REQUIRE(create(*s, "r-1", "12", 1000));
  auto run = store::find_run(*s, "r-1");
  REQUIRE(run.ok());
  REQUIRE(run->has_value());
  CHECK((*run)->state == RunState::pending);
  CHECK((*run)->created == 1000);
  CHECK((*run)->next_attempt_at == 1000);
  CHECK_FALSE((*run)->job_id.has_value());
  auto missing = store::find_run(*s, "r-2");
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
}

TEST_CASE("the database itself refuses a second active run of a model version") {
  test::ScratchDir dir;
  auto s = test::open_store(dir.path() / "driftd.db");
  REQUIRE(create(*s, "r-1", "12", 1000));
  auto second = store::create_run_if(
      *s, "12", std::nullopt,
      [](const store::RunFacts&) {
        return std::optional<store::NewRun>(
            store::NewRun{"r-2", store::RunTrigger::manual, false, "12", "", {}, {}, ""});
      },
      2000);
  REQUIRE_FALSE(second.ok());
  CHECK(second.error().code == "conflict");
  store::RunChange done;
  done.run_id = "r-1";
  done.at = 3000;
  done.state = RunState::failed;
  REQUIRE(store::apply_run_change(*s, done).ok());
  CHECK(create(*s, "r-3", "12", 4000).has_value());
}

TEST_CASE("changes set, keep and clear fields and append steps") {
  test::ScratchDir dir;
  auto s = test::open_store(dir.path() / "driftd.db");
  REQUIRE(create(*s, "r-1", "12", 1000));
  store::RunChange c;
  c.run_id = "r-1";
  c.at = 2000;
  c.state = RunState::testing;
  c.job_id = 77;
  c.test_per_class = std::map<std::string, double>{{"a", 0.5}};
  c.error = std::optional<std::string>("oops");
  c.add_clips_uploaded = 3;
  c.step("training", "job 77 started");
  REQUIRE(store::apply_run_change(*s, c).ok());
  store::RunChange clear;
  clear.run_id = "r-1";
  clear.at = 3000;
  clear.error = std::optional<std::string>();
  clear.add_clips_uploaded = 2;
  REQUIRE(store::apply_run_change(*s, clear).ok());
  auto run = **store::find_run(*s, "r-1");
  CHECK(run.state == RunState::testing);
  CHECK(run.job_id == 77);
  CHECK(run.test_per_class->at("a") == doctest::Approx(0.5));
  CHECK_FALSE(run.error.has_value());
  CHECK(run.clips_uploaded == 5);
  CHECK(run.updated == 3000);
  auto steps = store::run_steps(*s, "r-1");
  REQUIRE(steps->size() == 2);
  CHECK(steps->back().detail == "job 77 started");
  CHECK(steps->back().at == 2000);
  store::RunChange unknown;
  unknown.run_id = "nope";
  CHECK(store::apply_run_change(*s, unknown).error().code == "not_found");
}

TEST_CASE("the ledger records intent then outcome, and closes an intent left without one") {
  test::ScratchDir dir;
  auto s = test::open_store(dir.path() / "driftd.db");
  REQUIRE(create(*s, "r-1", "12", 1000));
  store::RunChange at2;
  at2.run_id = "r-1";
  at2.at = 2000;
  auto first = store::record_call_intent(*s, "retrain", at2);
  REQUIRE(first.ok());
  store::RunChange at3 = at2;
  at3.at = 3000;
  auto second = store::record_call_intent(*s, "retrain", at3);
  REQUIRE(second.ok());
  store::CallOutcome outcome;
  outcome.remote_id = "77";
  outcome.result = "job 77";
  store::RunChange done = at2;
  done.at = 4000;
  done.job_id = 77;
  REQUIRE(store::record_call_outcome(*s, *second, outcome, done).ok());
  auto calls = store::run_calls(*s, "r-1");
  REQUIRE(calls.ok());
  REQUIRE(calls->size() == 2);
  CHECK((*calls)[0].state == store::CallState::failed);
  CHECK((*calls)[0].error_kind == std::optional<std::string>("lost"));
  CHECK((*calls)[1].state == store::CallState::done);
  CHECK((*calls)[1].remote_id == std::optional<std::string>("77"));
  CHECK((*calls)[1].outcome_at == 4000);
  CHECK((**store::find_run(*s, "r-1")).job_id == 77);
  CHECK(*store::is_known_job(*s, 77));
  CHECK_FALSE(*store::is_known_job(*s, 78));
}

TEST_CASE("listing runs gives the newest first and the active ones oldest first") {
  test::ScratchDir dir;
  auto s = test::open_store(dir.path() / "driftd.db");
  REQUIRE(create(*s, "r-a", "1", 1000));
  REQUIRE(create(*s, "r-b", "2", 2000));
  REQUIRE(create(*s, "r-c", "3", 3000));
  store::RunChange done;
  done.run_id = "r-b";
  done.at = 4000;
  done.state = RunState::succeeded;
  REQUIRE(store::apply_run_change(*s, done).ok());
  auto all = store::list_runs(*s);
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].id == "r-c");
  CHECK((*all)[2].id == "r-a");
  auto active = store::list_active_runs(*s);
  REQUIRE(active->size() == 2);
  CHECK((*active)[0].id == "r-a");
  CHECK((*active)[1].id == "r-c");
}
