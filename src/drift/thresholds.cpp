// Thresholds from the configuration.

#include "driftd/drift/thresholds.hpp"

namespace driftd::drift {

Thresholds thresholds_from(const config::Drift& drift) {
  Thresholds thresholds;
  thresholds.min_windows = drift.min_windows;
  thresholds.psi_warn = drift.psi_warn;
  thresholds.psi_alarm = drift.psi_alarm;
  thresholds.alpha = drift.alpha;
  return thresholds;
}

}  // namespace driftd::drift
