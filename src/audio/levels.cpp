#include "driftd/audio/levels.hpp"

#include <algorithm>
#include <cmath>

namespace driftd::audio {

double rms_dbfs(std::span<const double> samples) {
  if (samples.empty()) return k_rms_floor_dbfs;
  double sum_sq = 0;
  for (const double v : samples) sum_sq += v * v;
  const double rms = std::sqrt(sum_sq / static_cast<double>(samples.size()));
  if (!(rms > 0)) return k_rms_floor_dbfs;
  return std::max(k_rms_floor_dbfs, 20.0 * std::log10(rms / 32768.0));
}

}  // namespace driftd::audio
