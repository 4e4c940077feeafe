#pragma once
// A dense row-major matrix of doubles: frames × coefficients for MFCC output.

#include <cstddef>
#include <span>
#include <vector>

namespace driftd::audio {

struct FeatureMatrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> values;  // row-major: values[r * cols + c]

  FeatureMatrix() = default;
  FeatureMatrix(std::size_t row_count, std::size_t col_count)
      : rows(row_count), cols(col_count), values(row_count * col_count, 0.0) {}

  double& at(std::size_t r, std::size_t c) { return values[r * cols + c]; }
  double at(std::size_t r, std::size_t c) const { return values[r * cols + c]; }
  std::span<double> row(std::size_t r) { return {values.data() + r * cols, cols}; }
  std::span<const double> row(std::size_t r) const { return {values.data() + r * cols, cols}; }
};

}  // namespace driftd::audio
