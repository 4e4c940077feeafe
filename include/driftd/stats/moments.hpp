#pragma once
// Count, sum and sum of squares of a sample (e.g. prediction confidences): enough for its
// mean and variance, and mergeable by addition like the histograms.

#include <cstdint>

namespace driftd::stats {

struct Moments {
  std::uint64_t count = 0;
  double sum = 0;
  double sum_squares = 0;

  // Adds one observation.
  void add(double x) {
    ++count;
    sum += x;
    sum_squares += x * x;
  }

  // Adds another sample's moments.
  Moments& operator+=(const Moments& other) {
    count += other.count;
    sum += other.sum;
    sum_squares += other.sum_squares;
    return *this;
  }

  // The sample mean; 0 for an empty sample.
  double mean() const;

  // The unbiased sample variance (divisor count − 1), never negative; 0 below two values.
  double variance() const;
};

}  // namespace driftd::stats
