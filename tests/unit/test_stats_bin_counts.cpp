#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "driftd/stats/bin_counts.hpp"
#include "driftd/stats/bin_edges.hpp"
#include "support/drift_fixtures.hpp"

using driftd::stats::BinCounts;
using driftd::stats::count_values;
using driftd::stats::quantile_edges;

TEST_CASE("bin counts match numpy exactly on every convention case") {
  for (const auto& c : driftd::test::load_convention_cases()) {
    CAPTURE(c.name);
    const auto edges = quantile_edges(c.reference, c.bins);
    REQUIRE(edges.ok());
    const auto ref = count_values(*edges, c.reference);
    const auto cur = count_values(*edges, c.current);
    REQUIRE(ref.ok());
    REQUIRE(cur.ok());
    CHECK(ref->counts().size() == static_cast<std::size_t>(c.bins));
    CHECK(*ref == BinCounts(c.ref_counts));
    CHECK(*cur == BinCounts(c.cur_counts));
  }
}

TEST_CASE("counting refuses NaN with its index and lets infinities into the end bins") {
  const std::vector<double> edges{0.0, 1.0};
  const std::vector<double> values{0.5, -INFINITY, INFINITY, NAN};
  const auto refused = count_values(edges, values);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "non_finite_value");
  CHECK(refused.error().index == 3u);
  const std::vector<double> finite_or_inf{0.5, -INFINITY, INFINITY};
  CHECK(*count_values(edges, finite_or_inf) == BinCounts(std::vector<std::uint64_t>{1, 1, 1}));
}

TEST_CASE("bin counts merge by addition and subtract back") {
  BinCounts a(std::vector<std::uint64_t>{1, 2, 3});
  const BinCounts b(std::vector<std::uint64_t>{10, 0, 5});
  REQUIRE(a.merge(b).ok());
  CHECK(a == BinCounts(std::vector<std::uint64_t>{11, 2, 8}));
  CHECK(a.total() == 21u);
  REQUIRE(a.subtract(b).ok());
  CHECK(a == BinCounts(std::vector<std::uint64_t>{1, 2, 3}));
  CHECK(a.subtract(b).error().code == "negative_count");
  CHECK(a == BinCounts(std::vector<std::uint64_t>{1, 2, 3}));  // unchanged by the refusal
  CHECK(a.merge(BinCounts(2)).error().code == "bin_mismatch");
}

TEST_CASE("bin counts round-trip through a little-endian blob") {
  const BinCounts counts(std::vector<std::uint64_t>{0, 1, 258, 0xFFFFFFFFFFFFFFFFULL});
  const auto bytes = counts.to_bytes();
  REQUIRE(bytes.size() == 8 + 8 * 4);
  CHECK(bytes[0] == 1);   // format version 1
  CHECK(bytes[4] == 4);   // four bins
  CHECK(bytes[16] == 1);  // bin 1 = 1
  CHECK(bytes[24] == 2);  // bin 2 = 258 = 0x0102, low byte first
  CHECK(bytes[25] == 1);
  const auto back = BinCounts::from_bytes(bytes);
  REQUIRE(back.ok());
  CHECK(*back == counts);
}

TEST_CASE("a count blob of the wrong size or version is refused") {
  const auto bytes = BinCounts(std::vector<std::uint64_t>{1, 2}).to_bytes();
  auto longer = bytes;
  longer.push_back(0);
  CHECK(BinCounts::from_bytes(longer).error().code == "bad_blob");
  auto versioned = bytes;
  versioned[0] = 9;
  CHECK(BinCounts::from_bytes(versioned).error().code == "bad_blob");
  CHECK(BinCounts::from_bytes(std::vector<std::uint8_t>{}).error().code == "bad_blob");
}
