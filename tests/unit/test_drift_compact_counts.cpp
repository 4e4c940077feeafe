#include <doctest/doctest.h>

#include <chrono>
#include <random>
#include <vector>

#include "driftd/drift/compact_counts.hpp"
#include "driftd/drift/live_window.hpp"
#include "driftd/drift/prediction_units.hpp"
#include "support/drift_fixtures.hpp"

using namespace driftd::drift;
using driftd::test::close_relative;

namespace {

constexpr WindowGeometry k_geometry{1000, 300};

using Bins = std::vector<std::vector<std::size_t>>;

// A sample of `clips` random clips of 1..8 windows over `features` × `bins`.
SampleCounts random_sample(std::uint64_t seed, std::size_t features, std::size_t bins, int clips) {
  std::mt19937_64 rng(seed);
  SampleCounts sample(features, bins);
  for (int c = 0; c < clips; ++c) {
    Bins clip(1 + rng() % 8, std::vector<std::size_t>(features));
    for (auto& window : clip) {
      for (auto& bin : window) bin = rng() % bins;
    }
    REQUIRE(sample.add_clip(clip, k_geometry).ok());
  }
  return sample;
}

bool same_counts(const SampleCounts& a, const SampleCounts& b) {
  if (a.features() != b.features() || a.windows() != b.windows() || a.clips() != b.clips()) {
    return false;
  }
  for (std::size_t f = 0; f < a.features(); ++f) {
    if (!(a.feature(f) == b.feature(f))) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("a compact sample reads back exactly and is much smaller than the wide blob") {
  const SampleCounts sample = random_sample(1, 14, 10, 200);
  const auto compact = to_compact_bytes(sample);
  auto back = from_compact_bytes(compact);
  REQUIRE(back.ok());
  CHECK(back->to_bytes() == sample.to_bytes());
  CHECK(compact.size() * 3 < sample.to_bytes().size());
}

TEST_CASE("a sum of compact samples equals merging the samples") {
  SampleCounts merged;
  SampleSum sum;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const SampleCounts part = random_sample(seed, 4, 6, 30);
    REQUIRE(merged.merge(part).ok());
    REQUIRE(sum.add_compact(to_compact_bytes(part)).ok());
  }
  auto total = sum.to_sample();
  REQUIRE(total.ok());
  CHECK(same_counts(*total, merged));
  CHECK(close_relative(total->overlap_weight(), merged.overlap_weight(), 1e-12));
}

TEST_CASE("a compact sum refuses broken blobs and other shapes") {
  SampleSum sum;
  REQUIRE(sum.add_compact(to_compact_bytes(random_sample(3, 2, 4, 5))).ok());
  auto compact = to_compact_bytes(random_sample(4, 2, 4, 5));
  compact.pop_back();
  CHECK(sum.add_compact(compact).error().code == "bad_blob");
  CHECK(sum.add_compact(to_compact_bytes(random_sample(5, 3, 4, 5))).error().code ==
        "sample_mismatch");
  CHECK(sum.add_compact(std::vector<std::uint8_t>{}).error().code == "bad_blob");
  CHECK(sum.clips() == 5u);
}

TEST_CASE("a blob that breaks after most of its cells leaves the sum as it was") {
  // Small counts: most cells are one-byte varints, added eight at a time.
  SampleSum sum;
  REQUIRE(sum.add_compact(to_compact_bytes(random_sample(6, 14, 10, 40))).ok());
  const auto before = sum.to_sample()->to_bytes();
  const auto good = to_compact_bytes(random_sample(7, 14, 10, 40));
  auto truncated = good;
  truncated.resize(good.size() - 3);  // the last cells missing
  CHECK(sum.add_compact(truncated).error().code == "bad_blob");
  auto trailing = good;
  trailing.push_back(0);  // every cell read, one byte too many
  CHECK(sum.add_compact(trailing).error().code == "bad_blob");
  auto overlong = good;
  overlong.insert(overlong.end() - 20, 11, 0xFF);  // a varint over 64 bits near the end
  CHECK(sum.add_compact(overlong).error().code == "bad_blob");
  CHECK(sum.to_sample()->to_bytes() == before);
  // A first blob that breaks leaves the sum without a shape.
  SampleSum fresh;
  CHECK(fresh.add_compact(truncated).error().code == "bad_blob");
  CHECK(fresh.add_compact(to_compact_bytes(random_sample(8, 3, 4, 5))).ok());
  CHECK(fresh.features() == 3u);
  // And a good one adds exactly.
  REQUIRE(sum.add_compact(good).ok());
  SampleCounts merged = random_sample(6, 14, 10, 40);
  REQUIRE(merged.merge(random_sample(7, 14, 10, 40)).ok());
  CHECK(same_counts(*sum.to_sample(), merged));
}

TEST_CASE("label blobs round-trip and add up") {
  driftd::stats::LabelCounts labels{{"crying", 3}, {"sleeping", 1000}, {"ü", 1}};
  driftd::stats::LabelCounts total;
  REQUIRE(add_label_bytes(total, labels_to_bytes(labels)).ok());
  REQUIRE(add_label_bytes(total, labels_to_bytes({{"crying", 2}})).ok());
  CHECK(total == driftd::stats::LabelCounts{{"crying", 5}, {"sleeping", 1000}, {"ü", 1}});
  auto broken = labels_to_bytes(labels);
  broken.resize(broken.size() - 2);
  CHECK(add_label_bytes(total, broken).error().code == "bad_blob");
  CHECK(total.at("crying") == 5u);
}

TEST_CASE("clusters of one result each are worth n over n minus one results per unit") {
  LabelClusters clusters;
  const char* labels[] = {"a", "b", "c", "a", "b", "a", "a", "c", "b", "a"};
  for (const char* label : labels) {
    const LabelCount one{label, 1};
    clusters.add_cluster(std::span(&one, 1));
  }
  CHECK(close_relative(clusters.results_per_unit(), 10.0 / 9.0, 1e-12));
  CHECK(clusters.labels().at("a") == 5u);
}

TEST_CASE("clusters that each hold one label only count as one unit per cluster") {
  // 300 clusters of 6 results, each all of one label: D = k·C / (C − 1).
  LabelClusters clusters;
  const char* names[] = {"a", "b", "c"};
  for (int c = 0; c < 300; ++c) {
    const LabelCount all{names[c % 3], 6};
    clusters.add_cluster(std::span(&all, 1));
  }
  CHECK(close_relative(clusters.results_per_unit(), 6.0 * 300 / 299, 1e-12));
  LabelClusters merged;
  merged.merge(clusters);
  merged.merge(clusters);
  CHECK(merged.results() == 2 * 1800u);
  CHECK(LabelClusters().results_per_unit() == 1.0);
}

TEST_CASE("buckets are a 24th of the window in whole minutes and never under a minute") {
  using std::chrono::hours;
  using std::chrono::minutes;
  CHECK(bucket_length_ms(hours(24)) == 3'600'000);
  CHECK(bucket_length_ms(hours(1)) == 120'000);
  CHECK(bucket_length_ms(minutes(10)) == 60'000);
  CHECK(bucket_length_ms(minutes(50)) == 120'000);
  CHECK(bucket_start(3'600'000 * 5 + 17, 3'600'000) == 3'600'000 * 5);
  CHECK(bucket_start(-1, 60'000) == -60'000);
}

TEST_CASE("an evaluation reads the buckets that start within the window") {
  const std::int64_t hour = 3'600'000;
  const auto range = evaluation_range(100 * hour + 1234, std::chrono::hours(24), hour);
  CHECK(range.first_start == 77 * hour);
  CHECK(range.last_start == 100 * hour);
  CHECK(range.from == 77 * hour);
  CHECK(range.to == 100 * hour + 1234);
  const auto aligned = evaluation_range(100 * hour, std::chrono::hours(24), hour);
  CHECK(aligned.first_start == 76 * hour);
}
