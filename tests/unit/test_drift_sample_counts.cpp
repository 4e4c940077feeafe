#include <doctest/doctest.h>

#include <vector>

#include "driftd/drift/reference.hpp"
#include "driftd/drift/sample_counts.hpp"
#include "driftd/stats/chi_squared.hpp"
#include "support/drift_fixtures.hpp"

using namespace driftd::drift;
using driftd::test::close_relative;

namespace {

constexpr WindowGeometry k_geometry{1000, 300};

using Bins = std::vector<std::vector<std::size_t>>;

}  // namespace

TEST_CASE("a sample adds clips window by window for every feature") {
  SampleCounts sample(2, 3);
  REQUIRE(sample.add_clip(Bins{{0, 2}, {1, 2}}, k_geometry).ok());
  REQUIRE(sample.add_clip(Bins{{2, 0}}, k_geometry).ok());
  CHECK(sample.windows() == 3);
  CHECK(sample.clips() == 2u);
  CHECK(sample.feature(0).counts() ==
        driftd::stats::BinCounts(std::vector<std::uint64_t>{1, 1, 1}));
  CHECK(sample.feature(1).counts() ==
        driftd::stats::BinCounts(std::vector<std::uint64_t>{1, 0, 2}));
  // Overlap weight: 2·D(2) + 1·D(1) = 2·1.7 + 1.
  CHECK(close_relative(sample.overlap_weight(), 4.4, 1e-15));
}

TEST_CASE("a clip with a bad window is refused whole") {
  SampleCounts sample(2, 3);
  CHECK(sample.add_clip(Bins{{0, 1}, {0}}, k_geometry).error().code == "sample_mismatch");
  CHECK(sample.add_clip(Bins{{0, 3}}, k_geometry).error().code == "sample_mismatch");
  CHECK(sample.windows() == 0);
  CHECK(sample.clips() == 0u);
  REQUIRE(sample.add_clip(Bins{}, k_geometry).ok());
  CHECK(sample.clips() == 0u);
}

TEST_CASE("samples merge into an empty one and refuse another shape") {
  SampleCounts a(2, 3);
  REQUIRE(a.add_clip(Bins{{0, 1}}, k_geometry).ok());
  SampleCounts total;
  REQUIRE(total.merge(a).ok());
  REQUIRE(total.merge(a).ok());
  CHECK(total.windows() == 2);
  CHECK(total.feature(1).counts()[1] == 2u);
  CHECK(total.merge(SampleCounts(3, 3)).error().code == "sample_mismatch");
}

TEST_CASE("effective size uses the overlap model when the clips cannot show their scatter") {
  SampleCounts sample(1, 4);
  // One 2.5 s clip of 6 windows: nothing to measure, D = D(6) = 2.8.
  REQUIRE(sample.add_clip(Bins{{0}, {1}, {2}, {3}, {0}, {1}}, k_geometry).ok());
  CHECK(close_relative(sample.design_effect(0), 2.8, 1e-15));
  CHECK(close_relative(sample.effective_windows(0), 6 / 2.8, 1e-15));
  CHECK(SampleCounts(1, 4).effective_windows(0) == 0.0);
}

TEST_CASE("the design effect is the measured one's upper confidence bound, at least the model") {
  // 10 one-window clips over 4 bins: measured D = 10/9 with (10 − 1)(4 − 1) = 27 degrees of
  // freedom; its one-sided 95% upper bound is (10/9)·27 / χ²_{0.05}(27), with the lower 5%
  // quantile χ²_{0.05}(27) = 16.151396 (statistical tables); the overlap model says 1.
  SampleCounts sample(1, 4);
  for (std::size_t bin : {0, 1, 2, 3, 0, 1, 1, 2, 3, 3}) {
    REQUIRE(sample.add_clip(Bins{{bin}}, k_geometry).ok());
  }
  CHECK(close_relative(sample.design_effect(0), (10.0 / 9) * 27 / 16.151396, 1e-6));
  // Clips that stay in one bin for all their windows are measured as such: D̂ = k·C/(C − 1)
  // = 6.02 with 598 degrees of freedom, so the bound lies a little above it (χ²_{0.05}(598)
  // is about 542) and far above the overlap model's 2.8.
  SampleCounts clustered(1, 3);
  for (std::size_t c = 0; c < 300; ++c) {
    REQUIRE(clustered.add_clip(Bins(6, std::vector<std::size_t>{c % 3}), k_geometry).ok());
  }
  const double measured = 6.0 * 300 / 299;
  const double df = 299.0 * 2;
  CHECK(close_relative(clustered.design_effect(0),
                       measured * df / driftd::stats::chi_squared_critical(0.95, df), 1e-12));
  CHECK(clustered.design_effect(0) > measured * 1.08);
  CHECK(clustered.design_effect(0) < measured * 1.12);
  // Measured below the overlap model (independent frames): the model is kept.
  SampleCounts spread(1, 10);
  for (std::size_t c = 0; c < 400; ++c) {
    Bins bins(6, std::vector<std::size_t>(1));
    for (std::size_t w = 0; w < 6; ++w) bins[w][0] = (c * 7 + w * 3) % 10;
    REQUIRE(spread.add_clip(bins, k_geometry).ok());
  }
  CHECK(spread.design_effect(0) == doctest::Approx(spread.overlap_design_effect()));
}

TEST_CASE("a sample round-trips through its blob") {
  SampleCounts sample(3, 4);
  REQUIRE(sample.add_clip(Bins{{0, 1, 2}, {3, 3, 3}, {1, 1, 0}}, k_geometry).ok());
  REQUIRE(sample.add_clip(Bins{{2, 2, 2}}, k_geometry).ok());
  const auto bytes = sample.to_bytes();
  CHECK(bytes.size() == 40 + 3 * (24 + 24 * 4));
  const auto back = SampleCounts::from_bytes(bytes);
  REQUIRE(back.ok());
  CHECK(back->windows() == 4);
  CHECK(back->clips() == 2u);
  CHECK(back->overlap_weight() == sample.overlap_weight());
  for (std::size_t f = 0; f < 3; ++f) {
    CHECK(back->feature(f) == sample.feature(f));
    CHECK(back->design_effect(f) == sample.design_effect(f));
  }
  auto truncated = bytes;
  truncated.pop_back();
  CHECK(SampleCounts::from_bytes(truncated).error().code == "bad_blob");
  auto inconsistent = bytes;
  inconsistent[16] = 9;  // windows no longer match the features' totals
  CHECK(SampleCounts::from_bytes(inconsistent).error().code == "bad_blob");
}

TEST_CASE("a reference is built from clips and bins new clips with its edges") {
  const std::vector<std::string> names{"a", "b"};
  std::vector<ClipFeatures> clips;
  for (int i = 0; i < 10; ++i) clips.push_back(ClipFeatures{{double(i), double(i % 2)}});
  const auto reference = build_reference(names, clips, 5, k_geometry);
  REQUIRE(reference.ok());
  CHECK(reference->features[0].name == "a");
  CHECK(reference->features[0].edges == std::vector<double>{1.8, 3.6, 5.3999999999999995, 7.2});
  // Feature b is 0/1 only: edges (0, 0, 1, 1) collapse to 3 reachable bins.
  CHECK(reference->features[1].edges == std::vector<double>{0, 0, 1, 1});
  CHECK(reference->counts.windows() == 10);
  CHECK(reference->counts.feature(1).counts() ==
        driftd::stats::BinCounts(std::vector<std::uint64_t>{0, 0, 5, 0, 5}));
  SampleCounts current = empty_sample(*reference);
  REQUIRE(add_clip(current, *reference, ClipFeatures{{-5, 0.5}, {100, 1}}, k_geometry).ok());
  CHECK(current.feature(0).counts() ==
        driftd::stats::BinCounts(std::vector<std::uint64_t>{1, 0, 0, 0, 1}));
  CHECK(current.feature(1).counts() ==
        driftd::stats::BinCounts(std::vector<std::uint64_t>{0, 0, 1, 0, 1}));
  CHECK(bin_clip(*reference, ClipFeatures{{1, NAN}}).error().code == "non_finite_value");
  CHECK(bin_clip(*reference, ClipFeatures{{1}}).error().code == "feature_mismatch");
}

TEST_CASE("a reference is refused without windows, with bad widths or non-finite values") {
  const std::vector<std::string> names{"a"};
  CHECK(build_reference(names, std::vector<ClipFeatures>{}, 10, k_geometry).error().code ==
        "empty_reference");
  CHECK(build_reference(names, std::vector<ClipFeatures>{{{1, 2}}}, 10, k_geometry).error().code ==
        "feature_mismatch");
  const auto non_finite =
      build_reference(names, std::vector<ClipFeatures>{{{1}}, {{INFINITY}}}, 10, k_geometry);
  CHECK(non_finite.error().code == "non_finite_value");
  CHECK(non_finite.error().index == 1u);
  CHECK(build_reference(names, std::vector<ClipFeatures>{{{1}}}, 1, k_geometry).error().code ==
        "bad_bins");
}
