#include <doctest/doctest.h>

#include <vector>

#include "driftd/drift/episode_policy.hpp"

using namespace driftd::drift;

namespace {

constexpr int k_consecutive = 3;

// Feeds statuses at t = 1, 2, 3, … and collects every event.
struct Run {
  EpisodeState state = initial_episode_state("12");
  std::vector<EpisodeEvent> events;
  driftd::util::UnixMs t = 0;

  void feed(std::initializer_list<DriftStatus> statuses) {
    for (DriftStatus status : statuses) {
      PolicyStep next = step(state, PolicyObservation{status, ++t}, k_consecutive);
      state = next.state;
      events.insert(events.end(), next.events.begin(), next.events.end());
    }
  }

  int count(EpisodeEventKind kind) const {
    int n = 0;
    for (const auto& e : events) n += e.kind == kind;
    return n;
  }
};

constexpr auto k_ok = DriftStatus::ok;
constexpr auto k_warn = DriftStatus::warn;
constexpr auto k_alarm = DriftStatus::alarm;
constexpr auto k_insufficient = DriftStatus::insufficient_data;

}  // namespace

TEST_CASE("consecutive alarms start exactly one episode") {
  Run run;
  run.feed({k_alarm, k_alarm});
  CHECK(run.events.empty());
  CHECK(run.state.alarm_streak == 2);
  run.feed({k_alarm});
  REQUIRE(run.events.size() == 2);
  CHECK(run.events[0] ==
        EpisodeEvent{EpisodeEventKind::episode_started, "12", 1, 3, "consecutive_alarms"});
  CHECK(run.events[1].kind == EpisodeEventKind::retrain_called_for);
  CHECK(run.events[1].episode == 1);
  CHECK(run.state.in_episode);
  CHECK(run.state.episode_started_at == 3);
  run.feed({k_alarm, k_alarm, k_warn, k_alarm});
  CHECK(run.count(EpisodeEventKind::episode_started) == 1);
  CHECK(run.count(EpisodeEventKind::retrain_called_for) == 4);  // every k_alarm in the episode
  CHECK(run.count(EpisodeEventKind::episode_ended) == 0);
}

TEST_CASE("a warn or ok breaks a streak before it completes") {
  Run run;
  run.feed({k_alarm, k_alarm, k_warn, k_alarm, k_alarm, k_ok, k_alarm, k_alarm});
  CHECK(run.events.empty());
  run.feed({k_alarm});
  CHECK(run.count(EpisodeEventKind::episode_started) == 1);
  CHECK(run.events.front().at == 9);
}

TEST_CASE("insufficient data neither counts nor breaks a streak nor ends an episode") {
  Run run;
  run.feed({k_alarm, k_insufficient, k_alarm, DriftStatus::no_reference, k_insufficient});
  CHECK(run.events.empty());
  CHECK(run.state.alarm_streak == 2);
  run.feed({k_alarm});
  CHECK(run.count(EpisodeEventKind::episode_started) == 1);
  run.feed({k_insufficient, k_insufficient});
  CHECK(run.state.in_episode);
  CHECK(run.count(EpisodeEventKind::episode_ended) == 0);
}

TEST_CASE("an episode ends when the status is back to ok and a new one needs fresh alarms") {
  Run run;
  run.feed({k_alarm, k_alarm, k_alarm, k_warn, k_ok});
  REQUIRE(run.count(EpisodeEventKind::episode_ended) == 1);
  CHECK(run.events.back() ==
        EpisodeEvent{EpisodeEventKind::episode_ended, "12", 1, 5, "status_ok"});
  CHECK_FALSE(run.state.in_episode);
  CHECK_FALSE(run.state.episode_started_at.has_value());
  run.feed({k_alarm, k_alarm});
  CHECK(run.count(EpisodeEventKind::episode_started) == 1);
  run.feed({k_alarm});
  CHECK(run.count(EpisodeEventKind::episode_started) == 2);
  CHECK(run.events.back().episode == 2);
}

TEST_CASE("a new model version ends the episode and retires the old version") {
  Run run;
  run.feed({k_alarm, k_alarm, k_alarm});
  PolicyStep next = supersede(run.state, "13", 100);
  REQUIRE(next.events.size() == 1);
  CHECK(next.events[0] ==
        EpisodeEvent{EpisodeEventKind::episode_ended, "12", 1, 100, "new_model_version"});
  CHECK(next.state.superseded_by == "13");
  CHECK_FALSE(next.state.in_episode);
  // Superseding again, or by the same version, does nothing.
  CHECK(supersede(next.state, "14", 101).events.empty());
  CHECK(supersede(run.state, "12", 100).events.empty());
  // The retired version's later alarms start nothing.
  run.state = next.state;
  run.t = 100;
  run.feed({k_alarm, k_alarm, k_alarm, k_alarm});
  CHECK(run.count(EpisodeEventKind::episode_started) == 1);
}

TEST_CASE("replaying an evaluation changes nothing") {
  Run run;
  run.feed({k_alarm, k_alarm});
  const EpisodeState before = run.state;
  const PolicyStep replay = step(before, PolicyObservation{k_alarm, 2}, k_consecutive);
  CHECK(replay.state == before);
  CHECK(replay.events.empty());
  const PolicyStep older = step(before, PolicyObservation{k_alarm, 1}, k_consecutive);
  CHECK(older.state == before);
  // The next one does count.
  CHECK(step(before, PolicyObservation{k_alarm, 3}, k_consecutive).events.size() == 2);
}

TEST_CASE("consecutive of one starts an episode on the first alarm") {
  const PolicyStep first = step(initial_episode_state("v"), PolicyObservation{k_alarm, 1}, 1);
  CHECK(first.state.in_episode);
  CHECK(step(initial_episode_state("v"), PolicyObservation{k_alarm, 1}, 0).state.in_episode);
}

TEST_CASE("the episode state round-trips through JSON") {
  Run run;
  run.feed({k_alarm, k_alarm, k_alarm});
  const nlohmann::json json = to_json(run.state);
  CHECK(json["in_episode"] == true);
  CHECK(json["episode_started_at"] == 3);
  CHECK(json["superseded_by"].is_null());
  const auto back = episode_state_from_json(json);
  REQUIRE(back.ok());
  CHECK(*back == run.state);
  const auto retired = supersede(run.state, "13", 9).state;
  CHECK(*episode_state_from_json(to_json(retired)) == retired);
  CHECK(*episode_state_from_json(to_json(initial_episode_state("x"))) ==
        initial_episode_state("x"));
}

TEST_CASE("an episode state that cannot exist is refused") {
  nlohmann::json json = to_json(initial_episode_state("12"));
  json["in_episode"] = true;  // in an episode without a start or a number
  CHECK(episode_state_from_json(json).error().code == "bad_episode_state");
  CHECK(episode_state_from_json(nlohmann::json::array()).error().code == "bad_episode_state");
  nlohmann::json missing = to_json(initial_episode_state("12"));
  missing.erase("alarm_streak");
  CHECK_FALSE(episode_state_from_json(missing).ok());
  nlohmann::json wrong = to_json(initial_episode_state("12"));
  wrong["last_evaluated_at"] = "yesterday";
  CHECK_FALSE(episode_state_from_json(wrong).ok());
}

TEST_CASE("event kinds have stable names") {
  CHECK(to_string(EpisodeEventKind::episode_started) == "episode_started");
  CHECK(to_string(EpisodeEventKind::episode_ended) == "episode_ended");
  CHECK(to_string(EpisodeEventKind::retrain_called_for) == "retrain_called_for");
}
