// Starting runs through request_retrain with a real store: one active run per model
// version, the cooldown, the episode rules of SPEC §7, disabled retraining, and races.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "driftd/jobs/retrain_trigger.hpp"
#include "support/store_scratch.hpp"

using namespace driftd;
using jobs::BlockReason;
using store::RunState;

namespace {

constexpr util::UnixMs k_hour = 3'600'000;
constexpr util::UnixMs k_t0 = 1'800'000'000'000;

struct Fixture {
  test::ScratchDir dir;
  std::unique_ptr<store::Store> store = test::open_store(dir.path() / "driftd.db");
  config::Config config;

  jobs::TriggerOutcome request(util::UnixMs now, std::optional<std::string> episode = std::nullopt,
                               bool force = false, std::string version = "12") {
    jobs::RetrainRequest r;
    r.model_version = std::move(version);
    r.trigger = episode ? store::RunTrigger::drift : store::RunTrigger::manual;
    r.episode_id = std::move(episode);
    r.force = force;
    auto outcome = jobs::request_retrain(*store, config, r, now);
    REQUIRE_MESSAGE(outcome.ok(), (outcome.ok() ? "" : outcome.error().message));
    return *outcome;
  }

  void end_run(const std::string& id, RunState state, util::UnixMs at) {
    store::RunChange change;
    change.run_id = id;
    change.at = at;
    change.state = state;
    REQUIRE(store::apply_run_change(*store, change).ok());
  }
};

}  // namespace

TEST_CASE("a trigger creates a pending run with its first step") {
  Fixture f;
  auto created = f.request(k_t0);
  REQUIRE(created.run);
  CHECK(created.run->state == RunState::pending);
  CHECK(created.run->trigger == store::RunTrigger::manual);
  CHECK(created.run->id.rfind("r-", 0) == 0);
  auto steps = store::run_steps(*f.store, created.run->id);
  REQUIRE(steps.ok());
  REQUIRE(steps->size() == 1);
  CHECK(steps->front().step == "pending");
  CHECK(steps->front().detail.find("manual trigger") != std::string::npos);
}

TEST_CASE("a second trigger while a run is active is refused whatever its kind") {
  Fixture f;
  const auto first = f.request(k_t0);
  REQUIRE(first.run);
  auto manual = f.request(k_t0 + 1, std::nullopt, true);
  REQUIRE(manual.blocked);
  CHECK(manual.blocked->by == BlockReason::active_run);
  CHECK(manual.blocked->run_id == first.run->id);
  auto drift = f.request(k_t0 + 2, "12#1");
  REQUIRE(drift.blocked);
  CHECK(drift.blocked->by == BlockReason::active_run);
  // Another model version is not blocked.
  CHECK(f.request(k_t0 + 3, std::nullopt, false, "13").run.has_value());
  auto runs = store::list_runs(*f.store);
  REQUIRE(runs.ok());
  CHECK(runs->size() == 2);
}

TEST_CASE("the cooldown after a run refuses triggers until it passes, unless forced") {
  Fixture f;
  const auto first = f.request(k_t0);
  f.end_run(first.run->id, RunState::failed, k_t0 + k_hour);
  auto blocked = f.request(k_t0 + 2 * k_hour);
  REQUIRE(blocked.blocked);
  CHECK(blocked.blocked->by == BlockReason::cooldown);
  CHECK(blocked.blocked->until == k_t0 + 25 * k_hour);
  jobs::RetrainRequest plain;
  plain.model_version = "12";
  auto shown = jobs::retrain_block(*f.store, f.config, plain, k_t0 + 2 * k_hour);
  REQUIRE(shown.ok());
  REQUIRE(shown->has_value());
  CHECK((*shown)->until == k_t0 + 25 * k_hour);
  CHECK(f.request(k_t0 + 2 * k_hour, std::nullopt, true).run.has_value());
}

TEST_CASE("one drift episode yields one succeeded run, but may retry after a failure") {
  Fixture f;
  const auto first = f.request(k_t0, "12#1");
  REQUIRE(first.run);
  f.end_run(first.run->id, RunState::rejected, k_t0 + k_hour);
  CHECK(f.request(k_t0 + 10 * k_hour, "12#1").blocked->by == BlockReason::cooldown);
  const auto second = f.request(k_t0 + 25 * k_hour, "12#1");
  REQUIRE(second.run);
  f.end_run(second.run->id, RunState::succeeded, k_t0 + 26 * k_hour);
  auto again = f.request(k_t0 + 100 * k_hour, "12#1");
  REQUIRE(again.blocked);
  CHECK(again.blocked->by == BlockReason::episode_retrained);
  // A later episode of the same version starts once the cooldown has passed.
  CHECK(f.request(k_t0 + 100 * k_hour, "12#2").run.has_value());
}

TEST_CASE("with retraining disabled nothing is created") {
  Fixture f;
  f.config.retrain.enabled = false;
  auto refused = f.request(k_t0);
  REQUIRE(refused.blocked);
  CHECK(refused.blocked->by == BlockReason::disabled);
  auto runs = store::list_runs(*f.store);
  REQUIRE(runs.ok());
  CHECK(runs->empty());
}

TEST_CASE("a dry-run config creates dry runs and a bad model version is refused") {
  Fixture f;
  f.config.retrain.dry_run = true;
  auto created = f.request(k_t0);
  REQUIRE(created.run);
  CHECK(created.run->dry_run);
  jobs::RetrainRequest bad;
  bad.model_version = "not valid!";
  auto refused = jobs::request_retrain(*f.store, f.config, bad, k_t0);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().field == "model_version");
}

TEST_CASE("triggers racing from many threads create exactly one run") {
  Fixture f;
  std::atomic<int> created{0}, blocked{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      jobs::RetrainRequest r;
      r.model_version = "12";
      auto outcome = jobs::request_retrain(*f.store, f.config, r, k_t0 + i);
      if (outcome.ok() && outcome->run) ++created;
      if (outcome.ok() && outcome->blocked) ++blocked;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(created == 1);
  CHECK(blocked == 7);
}
