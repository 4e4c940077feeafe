// Mean and variance from running sums. For confidences in [0, 1] the cancellation in
// sum_squares − sum²/n costs at most about n·1e-16 absolute, negligible for the counts seen.

#include "driftd/stats/moments.hpp"

#include <algorithm>

namespace driftd::stats {

double Moments::mean() const {
  return count == 0 ? 0.0 : sum / static_cast<double>(count);
}

double Moments::variance() const {
  if (count < 2) return 0.0;
  const double n = static_cast<double>(count);
  return std::max(0.0, (sum_squares - sum * sum / n) / (n - 1));
}

}  // namespace driftd::stats
