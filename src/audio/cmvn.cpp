// Sliding-window CMVN with prefix sums. The reference recomputes each window's mean and
// standard deviation from scratch (O(rows × win_size × cols)); here every window sum is a
// difference of two prefix sums over the padded rows, which costs O((rows + win_size) ×
// cols) for the whole matrix. The values summed are deviations from the column's first
// row, so the sums stay small and a constant column stays exactly zero.

#include "driftd/audio/cmvn.hpp"

#include <cmath>
#include <vector>

namespace driftd::audio {

namespace {

constexpr double k_eps = 1e-10;

// Row of the unpadded matrix that padded row j (0 ≤ j < rows + 2·pad) shows, for numpy's
// 'symmetric' padding: a periodic extension of [r0 … r_{n-1} r_{n-1} … r0].
std::vector<std::size_t> symmetric_sources(std::size_t rows, std::size_t pad) {
  std::vector<std::size_t> source(rows + 2 * pad);
  const auto period = static_cast<long long>(2 * rows);
  for (std::size_t j = 0; j < source.size(); ++j) {
    const long long t = static_cast<long long>(j) - static_cast<long long>(pad);
    const long long u = ((t % period) + period) % period;
    const auto index = static_cast<std::size_t>(u);
    source[j] = index < rows ? index : 2 * rows - 1 - index;
  }
  return source;
}

double round_to_binary32(double v) {
  return static_cast<double>(static_cast<float>(v));
}

}  // namespace

FeatureMatrix cmvn_sliding(const FeatureMatrix& raw, int win_size, const CmvnOptions& options) {
  const std::size_t rows = raw.rows;
  const std::size_t cols = raw.cols;
  FeatureMatrix out(rows, cols);
  if (rows == 0 || cols == 0 || win_size < 1) return out;
  const auto w = static_cast<std::size_t>(win_size);
  const std::vector<std::size_t> source = symmetric_sources(rows, (w - 1) / 2);
  const std::size_t padded = source.size();
  const double inv_w = 1.0 / static_cast<double>(w);

  // Pass 1: subtract each window's mean.
  FeatureMatrix centred(rows, cols);
  std::vector<double> prefix((padded + 1) * cols, 0.0);
  const std::span<const double> shift = raw.row(0);
  for (std::size_t j = 0; j < padded; ++j) {
    const std::span<const double> x = raw.row(source[j]);
    const double* before = prefix.data() + j * cols;
    double* after = prefix.data() + (j + 1) * cols;
    for (std::size_t c = 0; c < cols; ++c) after[c] = before[c] + (x[c] - shift[c]);
  }
  for (std::size_t i = 0; i < rows; ++i) {
    const double* lo = prefix.data() + i * cols;
    const double* hi = prefix.data() + (i + w) * cols;
    const std::span<const double> x = raw.row(i);
    const std::span<double> m = centred.row(i);
    for (std::size_t c = 0; c < cols; ++c) {
      const double mean_dev = (hi[c] - lo[c]) / static_cast<double>(w);
      const double value = (x[c] - shift[c]) - mean_dev;
      m[c] = options.round_intermediate_like_reference ? round_to_binary32(value) : value;
    }
  }

  // Pass 2: divide by each window's population standard deviation of the centred rows.
  std::vector<double> prefix_sq((padded + 1) * cols, 0.0);
  const std::vector<double> shift2(centred.row(0).begin(), centred.row(0).end());
  for (std::size_t j = 0; j < padded; ++j) {
    const std::span<const double> m = centred.row(source[j]);
    const double* before = prefix.data() + j * cols;
    const double* before_sq = prefix_sq.data() + j * cols;
    double* after = prefix.data() + (j + 1) * cols;
    double* after_sq = prefix_sq.data() + (j + 1) * cols;
    for (std::size_t c = 0; c < cols; ++c) {
      const double e = m[c] - shift2[c];
      after[c] = before[c] + e;
      after_sq[c] = before_sq[c] + e * e;
    }
  }
  for (std::size_t i = 0; i < rows; ++i) {
    const double* lo = prefix.data() + i * cols;
    const double* hi = prefix.data() + (i + w) * cols;
    const double* lo_sq = prefix_sq.data() + i * cols;
    const double* hi_sq = prefix_sq.data() + (i + w) * cols;
    const std::span<const double> m = centred.row(i);
    const std::span<double> o = out.row(i);
    for (std::size_t c = 0; c < cols; ++c) {
      const double mean = (hi[c] - lo[c]) * inv_w;
      double variance = (hi_sq[c] - lo_sq[c]) * inv_w - mean * mean;
      if (!(variance > 0)) variance = 0;
      o[c] = m[c] / (std::sqrt(variance) + k_eps);
    }
  }
  return out;
}

}  // namespace driftd::audio
