#include <doctest/doctest.h>

#include <vector>

#include "driftd/stats/clip_bin_counts.hpp"
#include "support/drift_fixtures.hpp"

using driftd::stats::ClipBinCounts;
using driftd::test::close_relative;

TEST_CASE("one window per clip has a design effect of n over n minus one") {
  ClipBinCounts counts(4);
  const std::vector<std::size_t> bins{0, 1, 2, 3, 0, 1, 1, 2, 3, 3};
  for (std::size_t bin : bins) counts.add_clip(std::vector<std::size_t>{bin});
  REQUIRE(counts.design_effect().has_value());
  CHECK(close_relative(counts.design_effect()->value, 10.0 / 9.0, 1e-12));
  CHECK(counts.design_effect()->degrees_of_freedom == 9 * 3);
}

TEST_CASE("clips that keep all their windows in one bin have a design effect near their length") {
  // C = 8 clips of k = 5 windows, each clip in a single bin: D = k·C/(C − 1) = 40/7.
  ClipBinCounts counts(3);
  for (std::size_t c = 0; c < 8; ++c) {
    counts.add_clip(std::vector<std::size_t>(5, c % 3));
  }
  CHECK(close_relative(counts.design_effect()->value, 40.0 / 7.0, 1e-12));
}

TEST_CASE("the design effect is not estimated from a single clip or a single bin") {
  ClipBinCounts one_clip(3);
  one_clip.add_clip(std::vector<std::size_t>{0, 1, 2, 2});
  CHECK_FALSE(one_clip.design_effect().has_value());
  ClipBinCounts one_bin(3);
  one_bin.add_clip(std::vector<std::size_t>{1, 1});
  one_bin.add_clip(std::vector<std::size_t>{1});
  CHECK_FALSE(one_bin.design_effect().has_value());
  one_bin.add_clip(std::vector<std::size_t>{});  // an empty clip adds nothing
  CHECK(one_bin.clips() == 2u);
}

TEST_CASE("merging clip counts equals adding all their clips to one") {
  const std::vector<std::vector<std::size_t>> clips{{0, 0, 1}, {2}, {1, 1, 1, 2}, {0, 2}};
  ClipBinCounts all(3);
  ClipBinCounts first(3);
  ClipBinCounts second(3);
  for (std::size_t i = 0; i < clips.size(); ++i) {
    all.add_clip(clips[i]);
    (i < 2 ? first : second).add_clip(clips[i]);
  }
  REQUIRE(first.merge(second).ok());
  CHECK(first == all);
  CHECK(first.windows() == 10u);
  CHECK(first.clips() == 4u);
  CHECK(first.merge(ClipBinCounts(4)).error().code == "bin_mismatch");
}

TEST_CASE("clip counts round-trip through their blob and impossible sums are refused") {
  ClipBinCounts counts(2);
  counts.add_clip(std::vector<std::size_t>{0, 1, 1});
  counts.add_clip(std::vector<std::size_t>{1});
  const auto bytes = counts.to_bytes();
  CHECK(bytes.size() == 24 + 24 * 2);
  const auto back = ClipBinCounts::from_bytes(bytes);
  REQUIRE(back.ok());
  CHECK(*back == counts);
  CHECK(back->design_effect()->value == counts.design_effect()->value);
  auto impossible = bytes;
  impossible[24 + 8] = 0;  // R_0 = 0 while n_0 = 1
  CHECK(ClipBinCounts::from_bytes(impossible).error().code == "bad_blob");
  auto truncated = bytes;
  truncated.resize(30);
  CHECK(ClipBinCounts::from_bytes(truncated).error().code == "bad_blob");
}
