// The pure retrain policy: trigger guards, retry delays, clip choice and batching, the
// quality gate's verdict and the dispatch payload.
#include <doctest/doctest.h>

#include <set>

#include "driftd/jobs/retrain_policy.hpp"

using namespace driftd;
using jobs::BlockReason;
using store::RunState;

namespace {

constexpr util::UnixMs k_hour = 3'600'000;

store::RunBrief brief(std::string id, RunState state, util::UnixMs created, util::UnixMs updated,
                      std::optional<std::string> episode = std::nullopt) {
  return store::RunBrief{std::move(id), state, created, updated, std::move(episode)};
}

jobs::RetrainRequest drift_request(std::string episode = "12#1") {
  jobs::RetrainRequest r;
  r.model_version = "12";
  r.trigger = store::RunTrigger::drift;
  r.episode_id = std::move(episode);
  return r;
}

store::ClipRecord clip(std::string id, std::string device, std::optional<std::string> label,
                       util::UnixMs t, std::optional<double> confidence = 0.9) {
  store::ClipRecord c;
  c.clip_id = std::move(id);
  c.device_id = std::move(device);
  c.model_version = "12";
  c.label = std::move(label);
  c.confidence = confidence;
  c.timestamp = t;
  c.bytes = 32'000;
  c.path = "ab/" + c.clip_id + ".wav";
  return c;
}

}  // namespace

TEST_CASE("a trigger with no earlier run passes the guard") {
  config::Retrain r;
  CHECK_FALSE(jobs::check_trigger({}, drift_request(), r, 10 * k_hour).has_value());
}

TEST_CASE("a disabled retrain refuses every trigger") {
  config::Retrain r;
  r.enabled = false;
  auto blocked = jobs::check_trigger({}, drift_request(), r, 0);
  REQUIRE(blocked);
  CHECK(blocked->by == BlockReason::disabled);
}

TEST_CASE("an active run blocks even a forced trigger") {
  config::Retrain r;
  store::RunFacts facts;
  facts.active = brief("r-1", RunState::training, 0, 0);
  facts.latest = facts.active;
  auto request = drift_request();
  request.force = true;
  auto blocked = jobs::check_trigger(facts, request, r, 100 * k_hour);
  REQUIRE(blocked);
  CHECK(blocked->by == BlockReason::active_run);
  CHECK(blocked->run_id == "r-1");
  CHECK_FALSE(blocked->until.has_value());
}

TEST_CASE("the cooldown counts from the end of the latest run and force skips it") {
  config::Retrain r;
  r.cooldown = std::chrono::hours(24);
  store::RunFacts facts;
  facts.latest = brief("r-1", RunState::failed, 0, 2 * k_hour);
  auto blocked = jobs::check_trigger(facts, drift_request(), r, 25 * k_hour);
  REQUIRE(blocked);
  CHECK(blocked->by == BlockReason::cooldown);
  CHECK(blocked->until == 26 * k_hour);
  CHECK_FALSE(jobs::check_trigger(facts, drift_request(), r, 26 * k_hour).has_value());
  auto forced = drift_request();
  forced.force = true;
  CHECK_FALSE(jobs::check_trigger(facts, forced, r, 3 * k_hour).has_value());
}

TEST_CASE("an episode with a succeeded run never starts another one") {
  config::Retrain r;
  store::RunFacts facts;
  facts.latest = brief("r-1", RunState::succeeded, 0, k_hour, "12#1");
  facts.episode = {*facts.latest};
  auto blocked = jobs::check_trigger(facts, drift_request("12#1"), r, 1000 * k_hour);
  REQUIRE(blocked);
  CHECK(blocked->by == BlockReason::episode_retrained);
  CHECK_FALSE(jobs::check_trigger(facts, drift_request("12#2"), r, 1000 * k_hour).has_value());
}

TEST_CASE("after a failed or rejected run the episode may start again once the cooldown passed") {
  config::Retrain r;
  store::RunFacts facts;
  facts.latest = brief("r-2", RunState::rejected, 5 * k_hour, 6 * k_hour, "12#1");
  facts.episode = {brief("r-1", RunState::failed, 0, k_hour, "12#1"), *facts.latest};
  CHECK(jobs::check_trigger(facts, drift_request(), r, 29 * k_hour)->by == BlockReason::cooldown);
  CHECK_FALSE(jobs::check_trigger(facts, drift_request(), r, 30 * k_hour).has_value());
}

TEST_CASE("retry delays grow exponentially with full jitter up to the cap") {
  using std::chrono::milliseconds;
  CHECK(jobs::retry_delay(1, std::nullopt, 0.999).count() <= 1000);
  CHECK(jobs::retry_delay(4, std::nullopt, 0.5) == milliseconds(4000));
  CHECK(jobs::retry_delay(40, std::nullopt, 0.999) < jobs::k_backoff_cap);
  CHECK(jobs::retry_delay(40, std::nullopt, 0.999) > jobs::k_backoff_cap - milliseconds(1000));
  CHECK(jobs::retry_delay(3, std::nullopt, 0.0) == milliseconds(0));
}

TEST_CASE("a retry never comes sooner than the remote asked") {
  using std::chrono::milliseconds;
  CHECK(jobs::retry_delay(1, milliseconds(7000), 0.3) == milliseconds(7000));
  CHECK(jobs::retry_delay(10, milliseconds(1), 0.5) > milliseconds(1));
}

TEST_CASE("clips are taken round-robin over devices and labels, newest first") {
  config::Retrain r;
  r.max_upload_clips = 4;
  std::vector<store::ClipRecord> candidates = {
      clip("a1", "dev-a", "crying", 100), clip("a2", "dev-a", "crying", 300),
      clip("a3", "dev-a", "crying", 200), clip("b1", "dev-b", "crying", 50),
      clip("a4", "dev-a", "sleeping", 10)};
  auto plan = jobs::plan_upload(candidates, r);
  REQUIRE(plan.size() == 4);
  std::set<std::string> chosen;
  for (const auto& c : plan) chosen.insert(c.clip_id);
  // One from each of the three groups first, then the next newest of the biggest group.
  CHECK(chosen == std::set<std::string>{"a2", "a3", "b1", "a4"});
}

TEST_CASE("drift scores reorder clips within their group when given") {
  config::Retrain r;
  r.max_upload_clips = 1;
  std::vector<store::ClipRecord> candidates = {clip("new", "d", "x", 300),
                                               clip("old", "d", "x", 100)};
  CHECK(jobs::plan_upload(candidates, r).front().clip_id == "new");
  CHECK(jobs::plan_upload(candidates, r, {{"old", 0.9}}).front().clip_id == "old");
}

TEST_CASE("labels follow label_policy and min_label_confidence") {
  config::Retrain r;
  r.min_label_confidence = 0.8;
  CHECK(jobs::upload_label(clip("c", "d", "crying", 1, 0.9), r) == "crying");
  CHECK_FALSE(jobs::upload_label(clip("c", "d", "crying", 1, 0.5), r).has_value());
  CHECK_FALSE(jobs::upload_label(clip("c", "d", std::nullopt, 1), r).has_value());
  r.label_policy = "unlabeled";
  CHECK_FALSE(jobs::upload_label(clip("c", "d", "crying", 1, 0.99), r).has_value());
}

TEST_CASE("batches hold one device and one upload label and are split by size") {
  config::Retrain r;
  r.max_upload_clips = 200;
  std::vector<store::ClipRecord> candidates;
  for (int i = 0; i < 60; ++i) candidates.push_back(clip("x" + std::to_string(i), "d1", "yes", i));
  candidates.push_back(clip("low", "d1", "yes", 1000, 0.1));  // sent unlabelled
  candidates.push_back(clip("other", "d2", "yes", 1000));
  auto flac = clip("flac", "d3", "yes", 1000);
  flac.path = "ab/flac.flac";  // only WAV files are uploaded
  candidates.push_back(flac);
  auto plan = jobs::plan_upload(candidates, r);
  CHECK(plan.size() == 62);
  std::map<int, std::set<std::pair<std::string, std::string>>> keys;
  std::map<int, int> sizes;
  for (const auto& c : plan) {
    keys[c.batch].insert({c.device_id, c.label.value_or("-")});
    ++sizes[c.batch];
  }
  CHECK(keys.size() == 4);  // d1/yes twice (60 clips > 50), d1 unlabelled, d2/yes
  for (const auto& [batch, k] : keys) CHECK(k.size() == 1);
  for (const auto& [batch, n] : sizes) CHECK(n <= static_cast<int>(jobs::k_max_batch_files));
}

TEST_CASE("the gate passes, rejects below the threshold, and rejects without test data") {
  clients::ClassifyResult result;
  result.total = {90, 10};
  result.per_class = {{"crying", {45, 5}}, {"sleeping", {45, 5}}};
  auto pass = jobs::judge_test_set(result, 0.8);
  CHECK(pass.kind == jobs::GateVerdict::Kind::passed);
  CHECK(pass.accuracy == doctest::Approx(0.9));
  CHECK(pass.per_class.at("crying") == doctest::Approx(0.9));

  auto low = jobs::judge_test_set(result, 0.95);
  CHECK(low.kind == jobs::GateVerdict::Kind::below_threshold);
  CHECK(low.detail.find("0.9") != std::string::npos);
  CHECK(low.detail.find("0.95") != std::string::npos);

  auto none = jobs::judge_test_set(clients::ClassifyResult{}, 0.8);
  CHECK(none.kind == jobs::GateVerdict::Kind::no_test_data);
  CHECK_FALSE(none.accuracy.has_value());
}

TEST_CASE("the dispatch payload names the job and run and stays within ten keys") {
  store::RetrainRun run;
  run.id = "r-1";
  run.model_version = "12";
  run.trigger = store::RunTrigger::drift;
  run.job_id = 77;
  run.drift_summary = R"({"status":"alarm","top_features":[{"name":"mfcc_1","psi":0.4}]})";
  auto without_gate = jobs::dispatch_payload(run, 5);
  CHECK(without_gate["project_id"] == 5);
  CHECK(without_gate["job_id"] == 77);
  CHECK(without_gate["run_id"] == "r-1");
  CHECK(without_gate["model_version"] == "12");
  CHECK_FALSE(without_gate.contains("test_accuracy"));
  CHECK(without_gate["drift"]["top_features"][0]["name"] == "mfcc_1");
  run.test_accuracy = 0.91;
  auto with_gate = jobs::dispatch_payload(run, 5);
  CHECK(with_gate["test_accuracy"] == doctest::Approx(0.91));
  CHECK(with_gate.size() <= 10);
}
