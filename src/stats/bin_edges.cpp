// Reference-quantile edges and the bin rule of SPEC §6.
//
// numpy (1.22 and later, method "linear") computes the virtual index v = (n − 1)·q in
// double precision and interpolates with a two-sided lerp: from below when the fraction is
// under one half, from above otherwise. The one-sided formula lo + (hi − lo)·t differs from
// numpy in the last bit for a sizeable share of inputs (2.8 → 6.3999999999999995 needs the
// upper form), so the two-sided form is reproduced exactly here.

#include "driftd/stats/bin_edges.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <string>

#include "little_endian.hpp"

namespace driftd::stats {
namespace {

constexpr std::uint32_t k_edges_format = 1;

}  // namespace

double quantile_linear(std::span<const double> sorted, double q) {
  const std::size_t n = sorted.size();
  const double virtual_index = static_cast<double>(n - 1) * q;
  const double floor_index = std::floor(virtual_index);
  const auto lo = std::min(static_cast<std::size_t>(std::max(floor_index, 0.0)), n - 1);
  const std::size_t hi = std::min(lo + 1, n - 1);
  const double t = virtual_index - floor_index;
  const double diff = sorted[hi] - sorted[lo];
  return t < 0.5 ? sorted[lo] + diff * t : sorted[hi] - diff * (1 - t);
}

Result<std::vector<double>> quantile_edges(std::span<const double> sample, int bins) {
  if (bins < k_min_bins || bins > k_max_bins) {
    return make_error("bad_bins", "bins must be between " + std::to_string(k_min_bins) + " and " +
                                      std::to_string(k_max_bins));
  }
  if (sample.empty()) return make_error("empty_sample", "the reference sample is empty");
  for (std::size_t i = 0; i < sample.size(); ++i) {
    if (!std::isfinite(sample[i])) {
      Error error = make_error("non_finite_value", "the reference sample holds NaN or infinity");
      error.index = i;
      return error;
    }
  }
  std::vector<double> sorted(sample.begin(), sample.end());
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> edges;
  edges.reserve(static_cast<std::size_t>(bins - 1));
  for (int k = 1; k < bins; ++k) {
    edges.push_back(quantile_linear(sorted, static_cast<double>(k) / bins));
  }
  return edges;
}

std::optional<std::size_t> bin_of(std::span<const double> edges, double value) {
  if (std::isnan(value)) return std::nullopt;
  return static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), value) -
                                  edges.begin());
}

std::size_t distinct_bins(std::span<const double> edges) {
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < edges.size(); ++i) {
    if (i == 0 || edges[i] != edges[i - 1]) ++distinct;
  }
  return distinct + 1;
}

std::vector<std::uint8_t> edges_to_bytes(std::span<const double> edges) {
  std::vector<std::uint8_t> out;
  out.reserve(8 + 8 * edges.size());
  detail::put_u32(out, k_edges_format);
  detail::put_u32(out, static_cast<std::uint32_t>(edges.size()));
  for (double edge : edges) detail::put_u64(out, std::bit_cast<std::uint64_t>(edge));
  return out;
}

Result<std::vector<double>> edges_from_bytes(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 8) return make_error("bad_blob", "edge blob shorter than its header");
  if (detail::get_u32(bytes, 0) != k_edges_format) {
    return make_error("bad_blob", "edge blob has an unknown format version");
  }
  const std::uint32_t count = detail::get_u32(bytes, 4);
  if (count > static_cast<std::uint32_t>(k_max_bins - 1) || bytes.size() != 8 + 8ULL * count) {
    return make_error("bad_blob", "edge blob size does not match its edge count");
  }
  std::vector<double> edges(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    edges[i] = std::bit_cast<double>(detail::get_u64(bytes, 8 + 8ULL * i));
    if (std::isnan(edges[i]) || (i > 0 && edges[i] < edges[i - 1])) {
      return make_error("bad_blob", "edge blob holds NaN or unordered edges");
    }
  }
  return edges;
}

}  // namespace driftd::stats
