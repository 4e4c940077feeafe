// The simulated fleet as values: device ids, schedules, which readings drift, the
// simulated clock, and request bodies that pass driftd's own validation.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "driftd/api/clip_params.hpp"
#include "driftd/api/result_validation.hpp"
#include "driftd/sim/fleet.hpp"
#include "driftd/sim/sim_clock.hpp"
#include "driftd/sim/wire.hpp"

using namespace driftd::sim;
using driftd::util::UnixMs;

namespace {

constexpr UnixMs k_start = 1'790'000'000'000;  // 2026-09-21

FleetSettings fleet(int devices = 4) {
  FleetSettings s;
  s.devices = devices;
  s.rate_per_second = 2;
  s.clip_fraction = 0.25;
  s.scenario.kind = ScenarioKind::noise;
  s.drift_after = std::chrono::seconds(60);
  s.drift_fraction = 0.5;
  s.run_tag = "t1";
  return s;
}

std::vector<Reading> all_due(SimDevice& device, UnixMs until) {
  std::vector<Reading> out;
  for (auto batch = device.take_due(until, 7); !batch.empty(); batch = device.take_due(until, 7)) {
    out.insert(out.end(), batch.begin(), batch.end());
  }
  return out;
}

}  // namespace

TEST_CASE("device ids are the prefix and a zero-padded number") {
  FleetSettings s = fleet(20);
  CHECK(device_id(s, 0) == "nursery-01");
  CHECK(device_id(s, 19) == "nursery-20");
  s.devices = 150;
  CHECK(device_id(s, 6) == "nursery-007");
}

TEST_CASE("the share of drifting devices rounds but keeps at least one") {
  FleetSettings s = fleet(20);
  s.drift_fraction = 0.05;
  CHECK(drifting_device_count(s) == 1);
  s.drift_fraction = 0.01;
  CHECK(drifting_device_count(s) == 1);
  s.drift_fraction = 0.5;
  CHECK(drifting_device_count(s) == 10);
  s.drift_fraction = 0;
  CHECK(drifting_device_count(s) == 0);
  s.drift_fraction = 1;
  s.scenario.kind = ScenarioKind::none;
  CHECK(drifting_device_count(s) == 0);
}

TEST_CASE("a device makes its readings at the configured rate, drifting only after drift-after") {
  const FleetSettings s = fleet();
  SimDevice drifting(s, 0, k_start);
  SimDevice steady(s, 3, k_start);
  REQUIRE(drifting.drifts());
  REQUIRE_FALSE(steady.drifts());
  const auto readings = all_due(drifting, k_start + 120'000);
  CHECK(readings.size() >= 239);
  CHECK(readings.size() <= 240);
  for (std::size_t i = 1; i < readings.size(); ++i) {
    const UnixMs gap = readings[i].timestamp_ms - readings[i - 1].timestamp_ms;
    CHECK(gap >= 499);
    CHECK(gap <= 501);
  }
  int clips = 0;
  int crying = 0;
  for (const Reading& r : readings) {
    CHECK(r.drifted == (r.timestamp_ms >= k_start + 60'000));
    if (r.drifted) {
      CHECK(r.confidence >= 0.55);
      CHECK(r.confidence <= 0.80);
    } else {
      CHECK(r.confidence >= 0.85);
      CHECK(r.confidence <= 0.97);
    }
    clips += r.with_clip;
    crying += r.sound == SoundClass::crying;
  }
  CHECK(clips > 30);  // 25 % of 240, give or take
  CHECK(clips < 90);
  CHECK(crying > 80);  // 50 %
  CHECK(crying < 160);
  for (const Reading& r : all_due(steady, k_start + 120'000)) CHECK_FALSE(r.drifted);
}

TEST_CASE("readings do not depend on how often the device is polled") {
  const FleetSettings s = fleet();
  SimDevice once(s, 1, k_start);
  SimDevice often(s, 1, k_start);
  const auto a = all_due(once, k_start + 30'000);
  std::vector<Reading> b;
  for (UnixMs t = k_start; t <= k_start + 30'000; t += 333) {
    for (const Reading& r : often.take_due(t, 1000)) b.push_back(r);
  }
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].result_id == b[i].result_id);
    CHECK(a[i].timestamp_ms == b[i].timestamp_ms);
    CHECK(a[i].confidence == b[i].confidence);
    CHECK(a[i].sound == b[i].sound);
  }
  CHECK(reading_audio(s, a.back()) == reading_audio(s, b.back()));
}

TEST_CASE("a drifted reading's audio is its clean clip with the scenario applied") {
  FleetSettings s = fleet();
  s.scenario.kind = ScenarioKind::gain;
  s.scenario.gain_db = -20;
  Reading r = make_reading(s, 0, 17, k_start, false);
  const auto clean = reading_audio(s, r);
  r.drifted = true;
  const auto drifted = reading_audio(s, r);
  REQUIRE(clean.size() == drifted.size());
  for (std::size_t i = 0; i < clean.size(); i += 997) {
    CHECK(drifted[i] == doctest::Approx(clean[i] * 0.1));
  }
}

TEST_CASE("a compressed clock starts in the past and reaches the present at the end") {
  const auto clock = make_sim_clock(k_start, 60, std::chrono::hours(1));
  REQUIRE(clock);
  CHECK(clock->sim_start == k_start - 3'600'000 + 60'000);
  CHECK(clock->sim_at(k_start + 60'000) == k_start + 60'000);  // the real end: now
  CHECK(clock->sim_at(k_start + 30'000) == clock->sim_start + 1'800'000);
  CHECK(clock->real_at(clock->sim_start + 1'800'000) == k_start + 30'000);
  const auto real_time = make_sim_clock(k_start, 1, std::nullopt);
  REQUIRE(real_time);
  CHECK(real_time->sim_at(k_start + 1234) == k_start + 1234);
  const auto open_ended = make_sim_clock(k_start, 10, std::nullopt);
  REQUIRE_FALSE(open_ended);
  CHECK(open_ended.error().code == "time_scale_needs_duration");
  CHECK_FALSE(make_sim_clock(k_start, 0.5, std::chrono::hours(1)));
}

TEST_CASE("rates are read per second, minute or hour") {
  CHECK(*parse_rate("2") == doctest::Approx(2.0));
  CHECK(*parse_rate("0.5/s") == doctest::Approx(0.5));
  CHECK(*parse_rate("30/m") == doctest::Approx(0.5));
  CHECK(*parse_rate("60/h") == doctest::Approx(1.0 / 60));
  for (const char* bad : {"", "0", "-1", "2/d", "x/s", "1e999"}) CHECK_FALSE(parse_rate(bad));
}

TEST_CASE("fleet settings outside their ranges are refused") {
  FleetSettings s = fleet();
  CHECK(validate(s));
  s.devices = 0;
  CHECK_FALSE(validate(s));
  s = fleet();
  s.clip_fraction = 1.5;
  CHECK_FALSE(validate(s));
  s = fleet();
  s.model_version = "has space";
  CHECK_FALSE(validate(s));
}

TEST_CASE("the simulator's request bodies pass driftd's own validation") {
  const FleetSettings s = fleet();
  SimDevice device(s, 0, k_start);
  const auto readings = all_due(device, k_start + 90'000);
  REQUIRE(readings.size() > 100);
  const std::span<const Reading> batch(readings.data(), 100);
  const auto records =
      driftd::api::parse_results(driftd::api::parse_json_body(results_body(batch)), k_start, 14);
  REQUIRE(records.size() == 100);
  for (std::size_t i = 0; i < records.size(); ++i) {
    CHECK(records[i].device_id == "nursery-01");
    CHECK(records[i].model_version == "1");
    CHECK(records[i].timestamp == readings[i].timestamp_ms);
    CHECK(records[i].label == std::string(label_of(readings[i].sound)));
    CHECK(records[i].result_id == readings[i].result_id);
    double total = 0;
    for (const auto& [label, score] : records[i].scores) total += score;
    CHECK(total == doctest::Approx(1.0));
  }
  const auto single = driftd::api::parse_results(
      driftd::api::parse_json_body(results_body(std::span(readings.data(), 1))), k_start, 14);
  CHECK(single.size() == 1);

  std::multimap<std::string, std::string> query;
  for (const auto& [k, v] : clip_query(readings[5])) query.emplace(k, v);
  const auto params = driftd::api::parse_clip_params(query, k_start + 100'000);
  CHECK(params.device_id == "nursery-01");
  CHECK(params.timestamp == readings[5].timestamp_ms);
  CHECK(params.result_id == readings[5].result_id);
  REQUIRE(params.confidence);
  CHECK(*params.confidence == doctest::Approx(readings[5].confidence));
}

TEST_CASE("file sets are reproducible and share no clip with the fleet's readings") {
  const FleetSettings s = fleet();
  Scenario noise;
  noise.kind = ScenarioKind::noise;
  CHECK(baseline_audio(7, SoundClass::crying, 3) == baseline_audio(7, SoundClass::crying, 3));
  CHECK(baseline_audio(7, SoundClass::crying, 3) != baseline_audio(7, SoundClass::crying, 4));
  CHECK(baseline_audio(7, SoundClass::crying, 3) != baseline_audio(8, SoundClass::crying, 3));
  CHECK(drifted_set_audio(7, SoundClass::sleeping, 0, noise) ==
        drifted_set_audio(7, SoundClass::sleeping, 0, noise));
  CHECK(drifted_set_audio(7, SoundClass::sleeping, 0, noise) !=
        baseline_audio(7, SoundClass::sleeping, 0));
  Reading r = make_reading(s, 0, 0, k_start, false);
  r.sound = SoundClass::sleeping;
  CHECK(reading_audio(s, r) != baseline_audio(s.seed, SoundClass::sleeping, 0));
}
