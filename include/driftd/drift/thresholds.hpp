#pragma once
// The decision thresholds of a drift evaluation (docs/drift.md, "Statuses").

#include <cstdint>

#include "driftd/config/config.hpp"

namespace driftd::drift {

// Drops in mean prediction confidence that make the confidence test warn / alarm (when
// significant): absolute differences on the [0, 1] confidence scale.
inline constexpr double k_confidence_drop_warn = 0.05;
inline constexpr double k_confidence_drop_alarm = 0.10;

struct Thresholds {
  std::int64_t min_windows = 200;  // fewer current windows: insufficient_data
  double psi_warn = 0.1;           // effect-size floors on PSI (features and label mix)
  double psi_alarm = 0.25;
  double alpha = 0.001;  // family-wise level, Bonferroni-split over the tests of one evaluation
  // warn needs significance too (true), or PSI ≥ psi_warn alone suffices (false, the bare
  // wording of SPEC §6; it makes stationary data warn often at small samples).
  bool warn_requires_significance = true;
  double confidence_drop_warn = k_confidence_drop_warn;
  double confidence_drop_alarm = k_confidence_drop_alarm;
};

// The thresholds of the `drift` config section (other fields keep their defaults).
Thresholds thresholds_from(const config::Drift& drift);

}  // namespace driftd::drift
