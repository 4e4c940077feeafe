// Clip-grouped bin counts and their design effect (see the header for the estimator).

#include "driftd/stats/clip_bin_counts.hpp"

#include <string>

#include "driftd/stats/bin_edges.hpp"
#include "little_endian.hpp"

namespace driftd::stats {
namespace {

constexpr std::uint32_t k_clip_counts_format = 1;

}  // namespace

ClipBinCounts::ClipBinCounts(std::size_t bins)
    : m_counts(bins), m_squares(bins, 0), m_size_cross(bins, 0) {}

void ClipBinCounts::add_clip(std::span<const std::size_t> window_bins) {
  if (window_bins.empty()) return;
  std::vector<std::uint64_t> in_clip(bins(), 0);
  for (std::size_t bin : window_bins) ++in_clip[bin];
  const auto k = static_cast<std::uint64_t>(window_bins.size());
  for (std::size_t b = 0; b < in_clip.size(); ++b) {
    if (in_clip[b] == 0) continue;
    m_counts.add(b, in_clip[b]);
    m_squares[b] += in_clip[b] * in_clip[b];
    m_size_cross[b] += k * in_clip[b];
  }
  ++m_clips;
  m_size_squares += k * k;
}

Status ClipBinCounts::merge(const ClipBinCounts& other) {
  if (Status merged = m_counts.merge(other.m_counts); !merged) return merged;
  for (std::size_t b = 0; b < bins(); ++b) {
    m_squares[b] += other.m_squares[b];
    m_size_cross[b] += other.m_size_cross[b];
  }
  m_clips += other.m_clips;
  m_size_squares += other.m_size_squares;
  return Ok{};
}

std::optional<ClipBinCounts::DesignEffect> ClipBinCounts::design_effect() const {
  const double n = static_cast<double>(windows());
  const double size_squares = static_cast<double>(m_size_squares);
  if (m_clips < 2 || n * n <= size_squares) return std::nullopt;
  double scatter = 0;
  int occupied = 0;
  for (std::size_t b = 0; b < bins(); ++b) {
    if (m_counts[b] == 0) continue;
    ++occupied;
    const double p = static_cast<double>(m_counts[b]) / n;
    scatter += static_cast<double>(m_squares[b]) / p - 2 * static_cast<double>(m_size_cross[b]) +
               p * size_squares;
  }
  if (occupied < 2) return std::nullopt;
  const double degrees_of_freedom = static_cast<double>(m_clips - 1) * (occupied - 1);
  return DesignEffect{scatter * n / ((occupied - 1) * (n * n - size_squares)), degrees_of_freedom};
}

std::vector<std::uint8_t> ClipBinCounts::to_bytes() const {
  std::vector<std::uint8_t> out;
  out.reserve(24 + 24 * bins());
  detail::put_u32(out, k_clip_counts_format);
  detail::put_u32(out, static_cast<std::uint32_t>(bins()));
  detail::put_u64(out, m_clips);
  detail::put_u64(out, m_size_squares);
  for (std::size_t b = 0; b < bins(); ++b) {
    detail::put_u64(out, m_counts[b]);
    detail::put_u64(out, m_squares[b]);
    detail::put_u64(out, m_size_cross[b]);
  }
  return out;
}

Result<ClipBinCounts> ClipBinCounts::from_bytes(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 24) return make_error("bad_blob", "clip count blob shorter than its header");
  if (detail::get_u32(bytes, 0) != k_clip_counts_format) {
    return make_error("bad_blob", "clip count blob has an unknown format version");
  }
  const std::uint32_t bins = detail::get_u32(bytes, 4);
  if (bins > static_cast<std::uint32_t>(k_max_bins) || bytes.size() != 24 + 24ULL * bins) {
    return make_error("bad_blob", "clip count blob size does not match its bin count");
  }
  ClipBinCounts counts(bins);
  counts.m_clips = detail::get_u64(bytes, 8);
  counts.m_size_squares = detail::get_u64(bytes, 16);
  for (std::uint32_t b = 0; b < bins; ++b) {
    const std::size_t at = 24 + 24ULL * b;
    counts.m_counts.add(b, detail::get_u64(bytes, at));
    counts.m_squares[b] = detail::get_u64(bytes, at + 8);
    counts.m_size_cross[b] = detail::get_u64(bytes, at + 16);
    if (counts.m_squares[b] < counts.m_counts[b]) {
      return make_error("bad_blob", "clip count blob holds impossible sums");
    }
  }
  return counts;
}

}  // namespace driftd::stats
