// References in a real SQLite database: bit-exact edges, counts and labels read back, a new
// reference replacing the active one while history is kept, the newest one, refusals.
#include <doctest/doctest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "driftd/drift/reference_builder.hpp"
#include "driftd/store/references.hpp"
#include "driftd/store/store.hpp"
#include "support/drift_fixtures.hpp"
#include "support/store_scratch.hpp"

using namespace driftd;
using namespace driftd::store;
using driftd::test::open_store;
using driftd::test::ScratchDir;

namespace {

const drift::ReferenceShape k_shape{{"mfcc_0", "mfcc_1", "rms_dbfs"}, 10, {1000, 300}};

// A reference of `clips` labelled clips of 6 windows, seeded.
drift::Reference make_reference(std::uint64_t seed, int clips = 30) {
  test::NormalSource rng(seed);
  std::vector<drift::LabeledClip> set;
  for (int c = 0; c < clips; ++c) {
    drift::ClipFeatures windows;
    for (int w = 0; w < 6; ++w)
      windows.push_back({rng.next(), rng.next() * 1e-3, -30 + rng.next()});
    set.push_back({c % 3 ? "dog" : "cat", windows});
  }
  auto reference = drift::build_training_reference(k_shape, set);
  REQUIRE(reference.ok());
  return std::move(reference.value());
}

// Ascending doubles that are hard to print and read back: thirds, sums that are not what
// they look like, subnormals, negative zero, the extremes and random bit patterns.
std::vector<double> awkward_edges(std::uint64_t seed) {
  std::mt19937_64 bits(seed);
  std::vector<double> edges{
      -std::numeric_limits<double>::max(),       -1.0 / 3.0, -0.0,
      std::numeric_limits<double>::denorm_min(), 0.1 + 0.2,  std::nextafter(1.0, 2.0)};
  while (edges.size() < 9) {
    const double v = std::bit_cast<double>(bits());
    if (std::isfinite(v)) edges.push_back(v);
  }
  std::sort(edges.begin(), edges.end());
  return edges;
}

void check_same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(std::bit_cast<std::uint64_t>(a[i]) == std::bit_cast<std::uint64_t>(b[i]));
  }
}

}  // namespace

TEST_CASE("a saved reference reads back with bit-identical edges, counts and labels") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  drift::Reference reference = make_reference(1);
  for (std::size_t f = 0; f < reference.features.size(); ++f) {
    reference.features[f].edges = awkward_edges(f + 10);
  }
  auto id = save_reference(*store, "12", "import:train", reference, 5'000);
  REQUIRE(id.ok());

  auto loaded = load_active_reference(*store, "12");
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  const StoredReference& stored = **loaded;
  CHECK(stored.info.id == id.value());
  CHECK(stored.info.model_version == "12");
  CHECK(stored.info.created == 5'000);
  CHECK(stored.info.source == "import:train");
  CHECK(stored.info.active);
  CHECK(stored.info.windows == 180);
  CHECK(stored.info.clips == 30);
  CHECK(stored.info.bins == 10);
  CHECK(stored.info.feature_names == k_shape.names);
  REQUIRE(stored.reference.features.size() == 3);
  for (std::size_t f = 0; f < 3; ++f) {
    CHECK(stored.reference.features[f].name == k_shape.names[f]);
    check_same_bits(stored.reference.features[f].edges, reference.features[f].edges);
  }
  CHECK(stored.reference.counts.to_bytes() == reference.counts.to_bytes());
  CHECK(stored.reference.predictions.labels == reference.predictions.labels);
  CHECK(stored.info.labels == reference.predictions.labels);
  CHECK(stored.reference.predictions.results_per_unit == reference.predictions.results_per_unit);
  CHECK(stored.reference.predictions.confidence.count == 0);
}

TEST_CASE("quantile edges of real data survive the round trip bit for bit") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  const drift::Reference reference = make_reference(2, 200);
  REQUIRE(save_reference(*store, "7", "pull:project 1", reference, 1).ok());
  auto loaded = load_active_reference(*store, "7");
  REQUIRE(loaded.ok());
  REQUIRE(loaded->has_value());
  for (std::size_t f = 0; f < reference.features.size(); ++f) {
    check_same_bits((*loaded)->reference.features[f].edges, reference.features[f].edges);
  }
}

TEST_CASE("a new reference replaces the active one and the old one stays as history") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  auto first = save_reference(*store, "12", "import:a", make_reference(1), 1'000);
  auto other = save_reference(*store, "13", "import:b", make_reference(2), 1'500);
  auto second = save_reference(*store, "12", "pull:project 4", make_reference(3, 40), 2'000);
  REQUIRE(first.ok());
  REQUIRE(other.ok());
  REQUIRE(second.ok());

  auto active = load_active_reference(*store, "12");
  REQUIRE(active.ok());
  REQUIRE(active->has_value());
  CHECK((*active)->info.id == second.value());
  CHECK((*active)->info.clips == 40);

  auto listed = list_references(*store);
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 2);
  CHECK((*listed)[0].id == second.value());  // newest first
  CHECK((*listed)[1].id == other.value());

  auto all = list_references(*store, ReferenceListing::all);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 3);
  CHECK((*all)[2].id == first.value());
  CHECK_FALSE((*all)[2].active);

  auto old = load_reference(*store, first.value());
  REQUIRE(old.ok());
  REQUIRE(old->has_value());
  CHECK_FALSE((*old)->info.active);
  CHECK((*old)->info.source == "import:a");
  CHECK((*old)->reference.counts.to_bytes() == make_reference(1).counts.to_bytes());
}

TEST_CASE("the newest reference is the most recently created active one") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  auto none = newest_reference(*store);
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  REQUIRE(save_reference(*store, "a", "import:x", make_reference(1), 300).ok());
  auto b = save_reference(*store, "b", "import:y", make_reference(2), 500);
  REQUIRE(b.ok());
  REQUIRE(save_reference(*store, "c", "import:z", make_reference(3), 400).ok());
  auto newest = newest_reference(*store);
  REQUIRE(newest.ok());
  REQUIRE(newest->has_value());
  CHECK((*newest)->info.id == b.value());

  // Same created time: the one saved later wins.
  auto d = save_reference(*store, "d", "import:w", make_reference(4), 500);
  REQUIRE(d.ok());
  newest = newest_reference(*store);
  REQUIRE(newest.ok());
  CHECK((*newest)->info.model_version == "d");

  // Replacing b's reference with an older-dated one leaves d newest; the retired row never is.
  REQUIRE(save_reference(*store, "d", "import:v", make_reference(5), 100).ok());
  newest = newest_reference(*store);
  REQUIRE(newest.ok());
  CHECK((*newest)->info.model_version == "b");
}

TEST_CASE("a model version without a reference has none, and unknown ids read as nothing") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  REQUIRE(save_reference(*store, "12", "import:x", make_reference(1), 1).ok());
  auto missing = load_active_reference(*store, "13");
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
  auto unknown = load_reference(*store, 999);
  REQUIRE(unknown.ok());
  CHECK_FALSE(unknown->has_value());
}

TEST_CASE("invalid references are refused and nothing is stored") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  const drift::Reference good = make_reference(1);

  auto bad_version = save_reference(*store, "no spaces", "import:x", good, 1);
  REQUIRE_FALSE(bad_version.ok());
  CHECK(bad_version.error().code == "invalid_argument");
  CHECK(bad_version.error().field == "model_version");

  auto no_source = save_reference(*store, "12", "", good, 1);
  REQUIRE_FALSE(no_source.ok());
  CHECK(no_source.error().field == "source");

  drift::Reference short_edges = good;
  short_edges.features[1].edges.pop_back();
  auto edges = save_reference(*store, "12", "import:x", short_edges, 1);
  REQUIRE_FALSE(edges.ok());
  CHECK(edges.error().field == "edges");

  drift::Reference unordered = good;
  std::swap(unordered.features[0].edges[0], unordered.features[0].edges[8]);
  CHECK_FALSE(save_reference(*store, "12", "import:x", unordered, 1).ok());

  drift::Reference empty;
  CHECK_FALSE(save_reference(*store, "12", "import:x", empty, 1).ok());

  auto listed = list_references(*store, ReferenceListing::all);
  REQUIRE(listed.ok());
  CHECK(listed->empty());
}
