#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "driftd/stats/bin_edges.hpp"
#include "support/drift_fixtures.hpp"

using driftd::stats::bin_of;
using driftd::stats::distinct_bins;
using driftd::stats::edges_from_bytes;
using driftd::stats::edges_to_bytes;
using driftd::stats::quantile_edges;
using driftd::stats::quantile_linear;

TEST_CASE("quantile edges match numpy on every convention case to 1e-12") {
  for (const auto& c : driftd::test::load_convention_cases()) {
    CAPTURE(c.name);
    const auto edges = quantile_edges(c.reference, c.bins);
    REQUIRE(edges.ok());
    REQUIRE(edges->size() == c.edges.size());
    for (std::size_t i = 0; i < c.edges.size(); ++i) {
      CHECK(std::fabs((*edges)[i] - c.edges[i]) <= 1e-12);
    }
  }
}

TEST_CASE("quantile interpolation reproduces numpy's last bit") {
  // numpy interpolates from the upper order statistic when the fraction is ≥ 0.5:
  // v = 1·0.7, t = 0.7, 0.1 − 0.1·(1 − 0.7) = 0.07, whereas 0 + 0.1·0.7 = 0.06999999999999999.
  const std::vector<double> two{0.0, 0.1};
  CHECK(quantile_linear(two, 0.7) == 0.07);
  // numpy.quantile(range(1, 11), 0.6) = 6.3999999999999995 ((n − 1)·q = 5.3999999999999995).
  const std::vector<double> ten{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  CHECK(quantile_linear(ten, 0.6) == 6.3999999999999995);
  CHECK(quantile_linear(ten, 0.2) == 2.8);
  const std::vector<double> one{42.0};
  CHECK(quantile_linear(one, 0.3) == 42.0);
}

TEST_CASE("a value's bin is the number of edges at or below it") {
  const std::vector<double> edges{0.25, 1.0, 2.0};
  CHECK(bin_of(edges, -1e300) == 0u);
  CHECK(bin_of(edges, 0.2499) == 0u);
  CHECK(bin_of(edges, 0.25) == 1u);  // a value on an edge goes to the bin above it
  CHECK(bin_of(edges, 1.0) == 2u);
  CHECK(bin_of(edges, 1.9999) == 2u);
  CHECK(bin_of(edges, 2.0) == 3u);
  CHECK(bin_of(edges, 1e300) == 3u);
  CHECK(bin_of(edges, -std::numeric_limits<double>::infinity()) == 0u);
  CHECK(bin_of(edges, std::numeric_limits<double>::infinity()) == 3u);
  CHECK_FALSE(bin_of(edges, std::numeric_limits<double>::quiet_NaN()).has_value());
}

TEST_CASE("a reference with ties keeps duplicated edges and never fills the bins between") {
  // Silence floors rms_dbfs at −120: 7 of 10 windows at the floor.
  const std::vector<double> reference{-120, -120, -120, -120, -120, -120, -120, -40, -30, -20};
  const auto edges = quantile_edges(reference, 5);
  REQUIRE(edges.ok());
  CHECK(*edges == std::vector<double>{-120, -120, -120, -38});  // numpy.quantile agrees
  CHECK(distinct_bins(*edges) == 3u);
  CHECK(bin_of(*edges, -120.0) == 3u);  // past all three equal edges at once
  CHECK(bin_of(*edges, -121.0) == 0u);
}

TEST_CASE("edges are refused for empty or non-finite samples and bad bin counts") {
  const std::vector<double> empty;
  CHECK(quantile_edges(empty, 10).error().code == "empty_sample");
  const std::vector<double> with_nan{1.0, std::nan(""), 3.0};
  const auto refused = quantile_edges(with_nan, 4);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "non_finite_value");
  CHECK(refused.error().index == 1u);
  const std::vector<double> with_inf{1.0, std::numeric_limits<double>::infinity()};
  CHECK(quantile_edges(with_inf, 4).error().code == "non_finite_value");
  const std::vector<double> fine{1.0, 2.0};
  CHECK(quantile_edges(fine, 1).error().code == "bad_bins");
  CHECK(quantile_edges(fine, 1001).error().code == "bad_bins");
  CHECK(quantile_edges(fine, 2).ok());
}

TEST_CASE("edges round-trip through their blob bit for bit") {
  const std::vector<double> edges{-1.5, 0.1, 0.1, 6.3999999999999995, 1e300};
  const auto bytes = edges_to_bytes(edges);
  CHECK(bytes.size() == 8 + 8 * edges.size());
  CHECK(bytes[0] == 1);  // format version, little-endian
  CHECK(bytes[4] == 5);  // edge count
  const auto back = edges_from_bytes(bytes);
  REQUIRE(back.ok());
  CHECK(*back == edges);
}

TEST_CASE("an edge blob that is truncated, versioned differently or unordered is refused") {
  const std::vector<double> edges{1.0, 2.0};
  auto bytes = edges_to_bytes(edges);
  auto truncated = bytes;
  truncated.pop_back();
  CHECK(edges_from_bytes(truncated).error().code == "bad_blob");
  auto versioned = bytes;
  versioned[0] = 2;
  CHECK(edges_from_bytes(versioned).error().code == "bad_blob");
  const std::vector<double> unordered{2.0, 1.0};
  CHECK(edges_from_bytes(edges_to_bytes(unordered)).error().code == "bad_blob");
  const std::vector<std::uint8_t> short_header{1, 0, 0};
  CHECK(edges_from_bytes(short_header).error().code == "bad_blob");
}
