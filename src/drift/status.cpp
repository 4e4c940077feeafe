// Drift status names and ordering.

#include "driftd/drift/status.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace driftd::drift {
namespace {

constexpr std::array<std::pair<DriftStatus, std::string_view>, 5> k_names{{
    {DriftStatus::ok, "ok"},
    {DriftStatus::warn, "warn"},
    {DriftStatus::alarm, "alarm"},
    {DriftStatus::insufficient_data, "insufficient_data"},
    {DriftStatus::no_reference, "no_reference"},
}};

int severity(DriftStatus status) {
  switch (status) {
    case DriftStatus::warn:
      return 1;
    case DriftStatus::alarm:
      return 2;
    default:
      return 0;
  }
}

}  // namespace

std::string_view to_string(DriftStatus status) {
  for (const auto& [value, name] : k_names) {
    if (value == status) return name;
  }
  return "ok";
}

std::optional<DriftStatus> parse_status(std::string_view text) {
  for (const auto& [value, name] : k_names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

DriftStatus worse(DriftStatus a, DriftStatus b) {
  const int worst = std::max(severity(a), severity(b));
  return worst == 2 ? DriftStatus::alarm : worst == 1 ? DriftStatus::warn : DriftStatus::ok;
}

}  // namespace driftd::drift
