// Fleet versus device attribution (rules in the header).

#include "driftd/drift/attribution.hpp"

#include <algorithm>

namespace driftd::drift {
namespace {

bool judged(DriftStatus status) {
  return status == DriftStatus::ok || status == DriftStatus::warn || status == DriftStatus::alarm;
}

bool drifted(DriftStatus status) {
  return status == DriftStatus::warn || status == DriftStatus::alarm;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// The fleet is drifted only because of one device: that device's index among `tests`.
std::optional<std::size_t> single_source(const std::vector<std::string>& fleet_tests,
                                         const std::vector<std::vector<std::string>>& tests,
                                         const std::vector<bool>& evaluated) {
  std::optional<std::size_t> source;
  std::size_t evaluated_count = 0;
  for (std::size_t d = 0; d < tests.size(); ++d) {
    if (!evaluated[d]) continue;
    ++evaluated_count;
    const bool shares = std::any_of(fleet_tests.begin(), fleet_tests.end(),
                                    [&](const std::string& t) { return contains(tests[d], t); });
    if (!shares) continue;
    if (source) return std::nullopt;  // a second device shares the drift
    source = d;
  }
  if (!source || evaluated_count < 2) return std::nullopt;
  const bool covers_all = std::all_of(fleet_tests.begin(), fleet_tests.end(),
                                      [&](const auto& t) { return contains(tests[*source], t); });
  return covers_all ? source : std::nullopt;
}

}  // namespace

std::string_view to_string(Scope scope) {
  return scope == Scope::fleet ? "fleet" : "device";
}

std::vector<std::string> drifted_tests(const Evaluation& evaluation) {
  std::vector<std::string> names;
  if (!judged(evaluation.status)) return names;
  for (const auto& feature : evaluation.features) {
    if (drifted(feature.score.status)) names.push_back(feature.name);
  }
  if (evaluation.predictions) {
    const auto& predictions = *evaluation.predictions;
    if (predictions.labels && drifted(predictions.labels->status)) names.emplace_back("label_mix");
    if (drifted(predictions.confidence_status)) names.emplace_back("mean_confidence");
  }
  return names;
}

Attribution attribute(const Evaluation& fleet, std::span<const Evaluation> devices) {
  const std::vector<std::string> fleet_tests = drifted_tests(fleet);
  std::vector<std::vector<std::string>> tests;
  std::vector<bool> evaluated;
  for (const auto& device : devices) {
    tests.push_back(drifted_tests(device));
    evaluated.push_back(device.device_id.has_value() && judged(device.status));
  }
  Attribution attribution;
  if (!fleet_tests.empty()) {
    attribution.fleet_scope =
        single_source(fleet_tests, tests, evaluated) ? Scope::device : Scope::fleet;
  }
  for (std::size_t d = 0; d < devices.size(); ++d) {
    if (!evaluated[d] || tests[d].empty()) continue;
    DeviceAttribution device{*devices[d].device_id, devices[d].status, Scope::device, tests[d], {}};
    for (const auto& name : tests[d]) {
      if (contains(fleet_tests, name)) device.shared_with_fleet.push_back(name);
    }
    if (attribution.fleet_scope == Scope::fleet && !device.shared_with_fleet.empty()) {
      device.scope = Scope::fleet;
    }
    attribution.devices.push_back(std::move(device));
  }
  return attribution;
}

std::optional<Scope> device_scope(const Attribution& attribution, std::string_view device_id) {
  for (const auto& device : attribution.devices) {
    if (device.device_id == device_id) return device.scope;
  }
  return std::nullopt;
}

DriftStatus policy_status(const Evaluation& fleet, const Attribution& attribution) {
  if (fleet.status == DriftStatus::alarm && attribution.fleet_scope == Scope::device) {
    return DriftStatus::warn;
  }
  return fleet.status;
}

nlohmann::json to_json(const Attribution& attribution) {
  nlohmann::json devices = nlohmann::json::array();
  for (const auto& device : attribution.devices) {
    devices.push_back({{"device_id", device.device_id},
                       {"status", to_string(device.status)},
                       {"scope", to_string(device.scope)},
                       {"drifted", device.drifted},
                       {"shared_with_fleet", device.shared_with_fleet}});
  }
  return {{"scope", attribution.fleet_scope ? nlohmann::json(to_string(*attribution.fleet_scope))
                                            : nlohmann::json(nullptr)},
          {"devices", std::move(devices)}};
}

}  // namespace driftd::drift
