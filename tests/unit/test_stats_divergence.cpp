#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "driftd/stats/bin_counts.hpp"
#include "driftd/stats/bin_edges.hpp"
#include "driftd/stats/divergence.hpp"
#include "support/drift_fixtures.hpp"

using driftd::stats::BinCounts;
using driftd::stats::divergences;
using driftd::stats::smoothed_proportions;
using driftd::test::close_relative;

TEST_CASE("PSI, KL and JS match numpy on every convention case to 1e-9 relative") {
  for (const auto& c : driftd::test::load_convention_cases()) {
    CAPTURE(c.name);
    const auto edges = driftd::stats::quantile_edges(c.reference, c.bins);
    REQUIRE(edges.ok());
    const auto ref = driftd::stats::count_values(*edges, c.reference);
    const auto cur = driftd::stats::count_values(*edges, c.current);
    const auto p_ref = smoothed_proportions(ref->counts());
    const auto p_cur = smoothed_proportions(cur->counts());
    for (std::size_t i = 0; i < p_ref.size(); ++i) {
      CHECK(close_relative(p_ref[i], c.ref_p[i], 1e-15));
      CHECK(close_relative(p_cur[i], c.cur_p[i], 1e-15));
    }
    const auto scores = divergences(*ref, *cur);
    REQUIRE(scores.ok());
    CHECK(close_relative(scores->psi, c.psi, 1e-9));
    CHECK(close_relative(scores->kl, c.kl, 1e-9));
    CHECK(close_relative(scores->js, c.js, 1e-9));
  }
}

TEST_CASE("a two-bin case scores as computed by hand") {
  // Reference counts (3, 1), current (1, 3), two bins, N = M = 4:
  //   p_ref = (3.5, 1.5) / 5 = (0.7, 0.3), p_cur = (0.3, 0.7)
  //   PSI = (0.3 − 0.7)·ln(0.3/0.7) + (0.7 − 0.3)·ln(0.7/0.3) = 0.8·ln(7/3) = 0.677838288309763
  //   KL  = 0.7·ln(0.7/0.3) + 0.3·ln(0.3/0.7) = 0.4·ln(7/3)          = 0.338919144154882
  //   JS: m = (0.5, 0.5), JS = 1 − H₂(0.3) = 1 − 0.881290899230693   = 0.118709100769307
  const BinCounts ref(std::vector<std::uint64_t>{3, 1});
  const BinCounts cur(std::vector<std::uint64_t>{1, 3});
  const auto scores = divergences(ref, cur);
  REQUIRE(scores.ok());
  CHECK(close_relative(scores->psi, 0.677838288309763, 1e-14));
  CHECK(close_relative(scores->kl, 0.338919144154882, 1e-14));
  CHECK(close_relative(scores->js, 0.118709100769307, 1e-13));
}

TEST_CASE("identical histograms score exactly zero") {
  const BinCounts counts(std::vector<std::uint64_t>{5, 0, 17, 3});
  const auto scores = divergences(counts, counts);
  CHECK(scores->psi == 0.0);
  CHECK(scores->kl == 0.0);
  CHECK(scores->js == 0.0);
}

TEST_CASE("smoothing keeps disjoint histograms finite and JS below one bit") {
  const BinCounts ref(std::vector<std::uint64_t>{1000000, 0});
  const BinCounts cur(std::vector<std::uint64_t>{0, 1000000});
  const auto scores = divergences(ref, cur);
  REQUIRE(scores.ok());
  CHECK(std::isfinite(scores->psi));
  CHECK(scores->psi > 20);
  CHECK(scores->js < 1.0);
  CHECK(scores->js > 0.99);
  // PSI is the symmetrised KL: KL(ref‖cur) + KL(cur‖ref).
  const auto back = divergences(cur, ref);
  CHECK(close_relative(scores->psi, scores->kl + back->kl, 1e-12));
}

TEST_CASE("an empty histogram smooths to the uniform distribution") {
  const auto p = smoothed_proportions(BinCounts(4).counts());
  for (double value : p) CHECK(value == 0.25);
  CHECK(divergences(BinCounts(3), BinCounts(4)).error().code == "bin_mismatch");
}
