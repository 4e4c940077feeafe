#pragma once
// Fleet versus device attribution of drift (docs/drift.md, "Attribution"): is a drift the
// whole fleet's (the environment or the population changed) or one device's (a broken
// microphone, a device moved somewhere odd)? Decided from the fleet evaluation and the
// per-device evaluations of the same model version and window; pure.
//
// A test (feature, or "label_mix" / "mean_confidence") is drifted in an evaluation when its
// status is warn or alarm; evaluations with insufficient data drift nowhere.
// - Fleet scope (when the fleet evaluation is warn or alarm): "device" when a single device
//   is drifted on every test the fleet is drifted on, and at least one other device with
//   enough data is not; otherwise "fleet" (several devices share it, or no device alone
//   has enough data to show it).
// - Device scope (for each device at warn or alarm): "fleet" when the fleet scope is "fleet"
//   and the device is drifted on at least one of the fleet's drifted tests; else "device".

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "driftd/drift/evaluation.hpp"
#include "driftd/drift/status.hpp"

namespace driftd::drift {

enum class Scope { fleet, device };

// "fleet", "device".
std::string_view to_string(Scope scope);

struct DeviceAttribution {
  std::string device_id;
  DriftStatus status = DriftStatus::ok;  // the device's own status (warn or alarm)
  Scope scope = Scope::device;
  std::vector<std::string> drifted;            // its drifted tests
  std::vector<std::string> shared_with_fleet;  // those also drifted fleet-wide
};

struct Attribution {
  std::optional<Scope> fleet_scope;        // nothing when the fleet is not drifted
  std::vector<DeviceAttribution> devices;  // devices at warn or alarm, in input order
};

// The names of an evaluation's drifted tests, in evaluation order.
std::vector<std::string> drifted_tests(const Evaluation& evaluation);

// Attributes the drift of `fleet` and of each of `devices` (rules above). Device
// evaluations without a device_id are ignored.
Attribution attribute(const Evaluation& fleet, std::span<const Evaluation> devices);

// The scope reported for one device; nothing when it is not drifted.
std::optional<Scope> device_scope(const Attribution& attribution, std::string_view device_id);

// The status the episode policy should count for the fleet: an alarm whose scope is
// "device" counts as warn (one device's fault does not retrain the fleet's model).
DriftStatus policy_status(const Evaluation& fleet, const Attribution& attribution);

// {"scope": "fleet" | "device" | null, "devices": [{"device_id", "status", "scope",
//  "drifted", "shared_with_fleet"}]}.
nlohmann::json to_json(const Attribution& attribution);

}  // namespace driftd::drift
