#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "driftd/drift/attribution.hpp"

using namespace driftd::drift;

namespace {

// An evaluation with the given per-feature statuses (features f0, f1, …); the overall status
// is the worst of them unless given.
Evaluation evaluation(std::optional<std::string> device, std::vector<DriftStatus> features,
                      std::optional<DriftStatus> overall = std::nullopt) {
  Evaluation e;
  e.model_version = "12";
  e.device_id = std::move(device);
  DriftStatus worst = DriftStatus::ok;
  for (std::size_t i = 0; i < features.size(); ++i) {
    FeatureScore feature;
    feature.name = "f" + std::to_string(i);
    feature.score.status = features[i];
    worst = worse(worst, features[i]);
    e.features.push_back(feature);
  }
  e.status = overall.value_or(worst);
  return e;
}

constexpr auto k_ok = DriftStatus::ok;
constexpr auto k_warn = DriftStatus::warn;
constexpr auto k_alarm = DriftStatus::alarm;

}  // namespace

TEST_CASE("one broken microphone is a device drift even when it moves the fleet") {
  const Evaluation fleet = evaluation(std::nullopt, {k_alarm, k_ok});
  const std::vector<Evaluation> devices{evaluation("a", {k_alarm, k_ok}),
                                        evaluation("b", {k_ok, k_ok}),
                                        evaluation("c", {k_ok, k_ok})};
  const Attribution attribution = attribute(fleet, devices);
  CHECK(attribution.fleet_scope == Scope::device);
  REQUIRE(attribution.devices.size() == 1);
  CHECK(attribution.devices[0].device_id == "a");
  CHECK(attribution.devices[0].scope == Scope::device);
  CHECK(attribution.devices[0].shared_with_fleet == std::vector<std::string>{"f0"});
  CHECK(policy_status(fleet, attribution) == DriftStatus::warn);  // no fleet retrain
  const auto json = to_json(attribution);
  CHECK(json["scope"] == "device");
  CHECK(json["devices"][0]["scope"] == "device");
  CHECK(json["devices"][0]["status"] == "alarm");
}

TEST_CASE("drift shared by several devices is the fleet's") {
  const Evaluation fleet = evaluation(std::nullopt, {k_alarm, k_warn});
  const std::vector<Evaluation> devices{evaluation("a", {k_alarm, k_ok}),
                                        evaluation("b", {k_warn, k_warn}),
                                        evaluation("c", {k_ok, k_ok})};
  const Attribution attribution = attribute(fleet, devices);
  CHECK(attribution.fleet_scope == Scope::fleet);
  REQUIRE(attribution.devices.size() == 2);
  CHECK(attribution.devices[0].scope == Scope::fleet);
  CHECK(attribution.devices[1].scope == Scope::fleet);
  CHECK(device_scope(attribution, "b") == Scope::fleet);
  CHECK_FALSE(device_scope(attribution, "c").has_value());
  CHECK(policy_status(fleet, attribution) == DriftStatus::alarm);
}

TEST_CASE("a device drifting where the fleet does not is a device drift") {
  const Evaluation fleet = evaluation(std::nullopt, {k_ok, k_ok});
  const std::vector<Evaluation> devices{evaluation("a", {k_ok, k_alarm}),
                                        evaluation("b", {k_ok, k_ok})};
  const Attribution attribution = attribute(fleet, devices);
  CHECK_FALSE(attribution.fleet_scope.has_value());
  CHECK(device_scope(attribution, "a") == Scope::device);
  CHECK(to_json(attribution)["scope"].is_null());
}

TEST_CASE("a device drifting on other features than the fleet is a device drift") {
  const Evaluation fleet = evaluation(std::nullopt, {k_alarm, k_ok, k_ok});
  const std::vector<Evaluation> devices{evaluation("a", {k_alarm, k_ok, k_ok}),
                                        evaluation("b", {k_alarm, k_ok, k_ok}),
                                        evaluation("c", {k_ok, k_ok, k_alarm})};
  const Attribution attribution = attribute(fleet, devices);
  CHECK(attribution.fleet_scope == Scope::fleet);
  CHECK(device_scope(attribution, "c") == Scope::device);
  CHECK(device_scope(attribution, "a") == Scope::fleet);
}

TEST_CASE("fleet drift no single device can show is the fleet's") {
  // Every device has too little data on its own; the pooled fleet shows the drift.
  const Evaluation fleet = evaluation(std::nullopt, {k_alarm});
  const std::vector<Evaluation> devices{evaluation("a", {k_alarm}, DriftStatus::insufficient_data),
                                        evaluation("b", {k_ok}, DriftStatus::insufficient_data)};
  const Attribution attribution = attribute(fleet, devices);
  CHECK(attribution.fleet_scope == Scope::fleet);
  CHECK(attribution.devices.empty());  // k_insufficient evaluations drift nowhere
}

TEST_CASE("a lone evaluated device cannot make the fleet's drift its own") {
  // Only one device has enough data: nothing shows the rest of the fleet is fine.
  const Evaluation fleet = evaluation(std::nullopt, {k_alarm});
  const std::vector<Evaluation> devices{evaluation("a", {k_alarm}),
                                        evaluation("b", {k_ok}, DriftStatus::insufficient_data)};
  CHECK(attribute(fleet, devices).fleet_scope == Scope::fleet);
}

TEST_CASE("prediction tests take part in attribution by name") {
  Evaluation fleet = evaluation(std::nullopt, {k_ok});
  fleet.predictions = PredictionScores{};
  fleet.predictions->confidence_status = DriftStatus::alarm;
  fleet.status = DriftStatus::alarm;
  CHECK(drifted_tests(fleet) == std::vector<std::string>{"mean_confidence"});
  Evaluation device = fleet;
  device.device_id = "a";
  const std::vector<Evaluation> devices{device, evaluation("b", {k_ok})};
  CHECK(attribute(fleet, devices).fleet_scope == Scope::device);
  CHECK(to_string(Scope::fleet) == "fleet");
}
