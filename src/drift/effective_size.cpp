// Overlap design effect of a clip's windows (derivation in the header and docs/drift.md).

#include "driftd/drift/effective_size.hpp"

#include <algorithm>

namespace driftd::drift {

WindowGeometry geometry_from(const config::Features& features) {
  return WindowGeometry{features.window_ms, features.window_increase_ms};
}

double overlap_design_effect(std::int64_t windows_in_clip, WindowGeometry geometry) {
  if (windows_in_clip <= 1) return 1.0;
  const double k = static_cast<double>(windows_in_clip);
  const double step = geometry.window_increase_ms > 0 && geometry.window_ms > 0
                          ? static_cast<double>(geometry.window_increase_ms) / geometry.window_ms
                          : 0.0;
  double sum = 0;
  for (std::int64_t d = 1; d < windows_in_clip; ++d) {
    const double overlap = 1.0 - static_cast<double>(d) * step;
    if (overlap <= 0) break;
    sum += (k - static_cast<double>(d)) * overlap;
  }
  return 1.0 + 2.0 * sum / k;
}

}  // namespace driftd::drift
