#pragma once
// Frozen histogram bins for one feature (SPEC §6): the edges are the reference sample's
// bins−1 quantiles at k/bins with numpy's default linear interpolation, and a value's bin is
// the number of edges ≤ the value (numpy.searchsorted(edges, v, side="right")), so the two
// end bins are open-ended. Duplicated edges (a reference with many ties) are kept exactly as
// numpy produces them; the bins between equal edges then can never be entered, which the
// bin rule handles without special cases (see distinct_bins()).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "driftd/util/result.hpp"

namespace driftd::stats {

// The fewest and most bins a histogram may have.
inline constexpr int k_min_bins = 2;
inline constexpr int k_max_bins = 1000;

// numpy.quantile(sorted, q) with method "linear", reproduced bit for bit: with
// v = (n − 1)·q, lo = ⌊v⌋, t = v − lo, d = x[lo+1] − x[lo], the result is x[lo] + d·t when
// t < 0.5 and x[lo+1] − d·(1 − t) otherwise. `sorted` must be ascending and non-empty.
double quantile_linear(std::span<const double> sorted, double q);

// The bins−1 edges of a reference sample (any order). Refuses an empty sample, a sample with
// a NaN or infinite value ("non_finite_value", with its index), and bins outside
// [k_min_bins, k_max_bins] ("bad_bins").
Result<std::vector<double>> quantile_edges(std::span<const double> sample, int bins);

// The bin of a value: the number of edges ≤ value, in [0, edges.size()]. −inf goes to the
// first bin, +inf to the last; NaN has no bin (nothing is returned). Edges must be ascending.
std::optional<std::size_t> bin_of(std::span<const double> edges, double value);

// How many bins a value can actually land in: the number of distinct edges + 1. Equals
// edges.size() + 1 unless edges are duplicated.
std::size_t distinct_bins(std::span<const double> edges);

// Edges as a versioned little-endian blob for storage: u32 format version (1), u32 edge
// count, then each edge as the IEEE-754 bits of a double (u64). Round-trips exactly.
std::vector<std::uint8_t> edges_to_bytes(std::span<const double> edges);

// Reads edges_to_bytes() output. Refuses ("bad_blob") an unknown version, a size that does
// not match the count, more than k_max_bins − 1 edges, NaN edges or edges out of order.
Result<std::vector<double>> edges_from_bytes(std::span<const std::uint8_t> bytes);

}  // namespace driftd::stats
