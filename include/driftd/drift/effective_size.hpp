#pragma once
// The overlap part of the effective sample size: how much less than k independent windows a
// clip of k overlapping windows is worth when its audio frames are independent.
//
// Windows of length w start every s ms. If frames were independent, window features (means
// over frames) of windows d apart correlate by their overlap r_d = max(0, 1 − d·s/w), and
// any function of them (a bin indicator) by at most r_d. The histogram of one clip then has
// at most D(k) = 1 + (2/k)·Σ_{d=1}^{k−1} (k − d)·r_d times the variance of k independent
// windows. For the defaults (1000 ms every 300 ms) D(1) = 1, D(6) = 2.8 (a 2.5 s clip) and
// D(k) → 3.4 for long clips. Correlation beyond the overlap (a clip's shared recording
// conditions) is measured from the data instead (stats::ClipBinCounts::design_effect).

#include <cstdint>

#include "driftd/config/config.hpp"

namespace driftd::drift {

// How clips are cut into windows (SPEC §5).
struct WindowGeometry {
  int window_ms = 1000;
  int window_increase_ms = 300;
};

// The geometry of the `features` config section.
WindowGeometry geometry_from(const config::Features& features);

// D(k) above; 1 for k ≤ 1. A non-positive window_increase_ms means full overlap (D = k).
double overlap_design_effect(std::int64_t windows_in_clip, WindowGeometry geometry);

}  // namespace driftd::drift
