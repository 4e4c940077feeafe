#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "driftd/drift/scoring.hpp"
#include "support/drift_fixtures.hpp"

using namespace driftd::drift;
using driftd::stats::BinCounts;
using driftd::test::close_relative;

TEST_CASE("the critical PSI scales the Bonferroni chi-squared quantile by 1/N + 1/M") {
  CHECK(per_test_alpha(0.01, 16) == 0.000625);
  CHECK(per_test_alpha(0.01, 1) == 0.01);
  // N = 4000, M = 200, 10 bins, m = 16 tests: (1/4000 + 1/200)·χ²_{1−0.01/16}(9)
  //   = 0.00525 · 29.093178482605538 = 0.15273918703367909 (scipy).
  const SampleSizes sizes{4000, 200};
  CHECK(close_relative(psi_critical_value(sizes, 9, 0.01 / 16), 0.15273918703367909, 1e-12));
  // At the critical value the p-value is the per-test level.
  CHECK(close_relative(psi_p_value(0.15273918703367909, sizes, 9), 0.000625, 1e-9));
  CHECK(close_relative(psi_p_value(0.15, sizes, 9), 0.0007651492569769787, 1e-9));
}

TEST_CASE("nothing is significant without a sample on both sides") {
  CHECK(std::isinf(psi_critical_value(SampleSizes{4000, 0}, 9, 0.01)));
  CHECK(std::isinf(psi_critical_value(SampleSizes{4000, 200}, 0, 0.01)));
  CHECK(psi_p_value(5.0, SampleSizes{0, 200}, 9) == 1.0);
}

TEST_CASE("status grades the effect size only for significant shifts") {
  const Thresholds defaults;
  CHECK(grade(0.30, true, 0.1, 0.25, defaults) == DriftStatus::alarm);
  CHECK(grade(0.15, true, 0.1, 0.25, defaults) == DriftStatus::warn);
  CHECK(grade(0.05, true, 0.1, 0.25, defaults) == DriftStatus::ok);
  CHECK(grade(0.30, false, 0.1, 0.25, defaults) == DriftStatus::ok);
  CHECK(grade(0.25, true, 0.1, 0.25, defaults) == DriftStatus::alarm);  // ≥, not >
  // With the bare SPEC wording, PSI ≥ psi_warn warns whatever the sample size.
  Thresholds ungated;
  ungated.warn_requires_significance = false;
  CHECK(grade(0.30, false, 0.1, 0.25, ungated) == DriftStatus::warn);
  CHECK(grade(0.30, true, 0.1, 0.25, ungated) == DriftStatus::alarm);
}

TEST_CASE("a histogram test reports its scores, significance and status") {
  const BinCounts ref(std::vector<std::uint64_t>{300, 100});
  const BinCounts cur(std::vector<std::uint64_t>{100, 300});
  const auto big = score_histograms(ref, cur, SampleSizes{400, 400}, 1, 0.01, Thresholds{});
  REQUIRE(big.scores.has_value());
  CHECK(big.significant);
  CHECK(big.status == DriftStatus::alarm);
  CHECK(big.p_value < 1e-12);
  // The same proportions from 4 windows a side: PSI 0.678 but nowhere near significant.
  const auto small = score_histograms(BinCounts(std::vector<std::uint64_t>{3, 1}),
                                      BinCounts(std::vector<std::uint64_t>{1, 3}),
                                      SampleSizes{4, 4}, 1, 0.01, Thresholds{});
  CHECK(close_relative(small.scores->psi, 0.677838288309763, 1e-14));
  CHECK_FALSE(small.significant);
  CHECK(small.status == DriftStatus::ok);
  // An empty current sample has no scores.
  const auto empty = score_histograms(ref, BinCounts(2), SampleSizes{400, 0}, 1, 0.01, {});
  CHECK_FALSE(empty.scores.has_value());
  CHECK(empty.status == DriftStatus::ok);
}

TEST_CASE("the confidence test is a one-sided Welch z on the drop of the mean") {
  // Reference 0.9, 0.95, 0.85, 0.9: mean 0.9, s² = 0.005/3. Current 0.8, 0.7, 0.9, 0.8:
  // mean 0.8, s² = 0.02/3. z = 0.1 / √(0.005/12 + 0.02/12) = 0.1·√480 = 2.1908902300206647,
  // p = P(Z > z) = 0.014229868458155276 (scipy).
  driftd::stats::Moments ref;
  driftd::stats::Moments cur;
  for (double x : {0.9, 0.95, 0.85, 0.9}) ref.add(x);
  for (double x : {0.8, 0.7, 0.9, 0.8}) cur.add(x);
  const auto test = mean_drop_test(ref, 4, cur, 4);
  REQUIRE(test.has_value());
  CHECK(close_relative(test->drop, 0.1, 1e-12));
  CHECK(close_relative(test->z, 2.1908902300206647, 1e-12));
  CHECK(close_relative(test->p_value, 0.014229868458155276, 1e-10));
  // A rise is not a drop: p > 0.5.
  CHECK(mean_drop_test(cur, 4, ref, 4)->p_value > 0.5);
  // Halving the units (correlated results) widens the error by √2.
  CHECK(close_relative(mean_drop_test(ref, 2, cur, 2)->z, 2.1908902300206647 / std::sqrt(2.0),
                       1e-12));
  driftd::stats::Moments one;
  one.add(0.5);
  CHECK_FALSE(mean_drop_test(ref, 4, one, 1).has_value());
}

TEST_CASE("constant confidences drop with certainty or not at all") {
  driftd::stats::Moments high;
  driftd::stats::Moments low;
  for (int i = 0; i < 3; ++i) {
    high.add(1.0);
    low.add(0.5);
  }
  CHECK(mean_drop_test(high, 3, low, 3)->p_value == 0.0);
  CHECK(mean_drop_test(high, 3, high, 3)->p_value == 0.5);
}
