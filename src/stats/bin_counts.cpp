// Exact bin counts and their storage blob.

#include "driftd/stats/bin_counts.hpp"

#include <numeric>
#include <string>

#include "driftd/stats/bin_edges.hpp"
#include "little_endian.hpp"

namespace driftd::stats {
namespace {

constexpr std::uint32_t k_counts_format = 1;

Error bin_mismatch(std::size_t ours, std::size_t theirs) {
  return make_error("bin_mismatch", "histograms have different bin counts (" +
                                        std::to_string(ours) + " and " + std::to_string(theirs) +
                                        ")");
}

}  // namespace

std::uint64_t BinCounts::total() const {
  return std::accumulate(m_counts.begin(), m_counts.end(), std::uint64_t{0});
}

Status BinCounts::merge(const BinCounts& other) {
  if (other.bins() != bins()) return bin_mismatch(bins(), other.bins());
  for (std::size_t i = 0; i < m_counts.size(); ++i) m_counts[i] += other.m_counts[i];
  return Ok{};
}

Status BinCounts::subtract(const BinCounts& other) {
  if (other.bins() != bins()) return bin_mismatch(bins(), other.bins());
  for (std::size_t i = 0; i < m_counts.size(); ++i) {
    if (other.m_counts[i] > m_counts[i]) {
      return make_error("negative_count", "subtracting more than a bin holds");
    }
  }
  for (std::size_t i = 0; i < m_counts.size(); ++i) m_counts[i] -= other.m_counts[i];
  return Ok{};
}

std::vector<std::uint8_t> BinCounts::to_bytes() const {
  std::vector<std::uint8_t> out;
  out.reserve(8 + 8 * m_counts.size());
  detail::put_u32(out, k_counts_format);
  detail::put_u32(out, static_cast<std::uint32_t>(m_counts.size()));
  for (std::uint64_t count : m_counts) detail::put_u64(out, count);
  return out;
}

Result<BinCounts> BinCounts::from_bytes(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 8) return make_error("bad_blob", "count blob shorter than its header");
  if (detail::get_u32(bytes, 0) != k_counts_format) {
    return make_error("bad_blob", "count blob has an unknown format version");
  }
  const std::uint32_t bins = detail::get_u32(bytes, 4);
  if (bins > static_cast<std::uint32_t>(k_max_bins) || bytes.size() != 8 + 8ULL * bins) {
    return make_error("bad_blob", "count blob size does not match its bin count");
  }
  std::vector<std::uint64_t> counts(bins);
  for (std::uint32_t i = 0; i < bins; ++i) counts[i] = detail::get_u64(bytes, 8 + 8ULL * i);
  return BinCounts(std::move(counts));
}

Result<BinCounts> count_values(std::span<const double> edges, std::span<const double> values) {
  BinCounts counts(edges.size() + 1);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto bin = bin_of(edges, values[i]);
    if (!bin) {
      Error error = make_error("non_finite_value", "a value is NaN and has no bin");
      error.index = i;
      return error;
    }
    counts.add(*bin);
  }
  return counts;
}

}  // namespace driftd::stats
