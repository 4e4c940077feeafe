#include <doctest/doctest.h>

#include <cmath>

#include "driftd/stats/categorical.hpp"
#include "driftd/stats/divergence.hpp"
#include "driftd/stats/moments.hpp"
#include "support/drift_fixtures.hpp"

using driftd::stats::align_labels;
using driftd::stats::BinCounts;
using driftd::stats::LabelCounts;
using driftd::test::close_relative;

TEST_CASE("label mixes are compared over the sorted union of their labels") {
  const LabelCounts ref{{"crying", 30}, {"sleeping", 70}, {"unused", 0}};
  const LabelCounts cur{{"babbling", 5}, {"crying", 45}, {"sleeping", 50}};
  const auto aligned = align_labels(ref, cur);
  CHECK(aligned.labels == std::vector<std::string>{"babbling", "crying", "sleeping"});
  CHECK(aligned.reference == BinCounts(std::vector<std::uint64_t>{0, 30, 70}));
  CHECK(aligned.current == BinCounts(std::vector<std::uint64_t>{5, 45, 50}));
}

TEST_CASE("a label seen on one side only gets a smoothed share on the other") {
  // Reference {a: 2}, current {a: 1, b: 1}: union (a, b), K = 2.
  //   p_ref = (2.5, 0.5) / 3 = (5/6, 1/6), p_cur = (1.5, 1.5) / 3 = (1/2, 1/2)
  //   PSI = (1/2 − 5/6)·ln(3/5) + (1/2 − 1/6)·ln(3) = (1/3)·ln 5 = 0.536479304144700
  const auto aligned = align_labels(LabelCounts{{"a", 2}}, LabelCounts{{"a", 1}, {"b", 1}});
  const auto scores = driftd::stats::divergences(aligned.reference, aligned.current);
  REQUIRE(scores.ok());
  CHECK(close_relative(scores->psi, std::log(5.0) / 3, 1e-14));
  CHECK(close_relative(scores->psi, 0.536479304144700, 1e-14));
}

TEST_CASE("label counts merge label by label") {
  LabelCounts a{{"x", 1}};
  driftd::stats::merge_labels(a, LabelCounts{{"x", 2}, {"y", 3}});
  CHECK(a == LabelCounts{{"x", 3}, {"y", 3}});
  CHECK(driftd::stats::total(a) == 6u);
}

TEST_CASE("moments give the mean and the unbiased variance and merge by addition") {
  driftd::stats::Moments m;
  for (double x : {0.9, 0.8, 1.0, 0.7}) m.add(x);
  CHECK(close_relative(m.mean(), 0.85, 1e-15));
  // Σ(x − 0.85)² = 0.0025 + 0.0025 + 0.0225 + 0.0225 = 0.05, / 3.
  CHECK(close_relative(m.variance(), 0.05 / 3, 1e-12));
  driftd::stats::Moments other;
  other.add(0.5);
  m += other;
  CHECK(m.count == 5u);
  CHECK(close_relative(m.mean(), 0.78, 1e-15));
  CHECK(driftd::stats::Moments{}.variance() == 0.0);
}
