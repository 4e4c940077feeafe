// Per-feature clip-grouped histograms of a sample, their merge, blob and effective sizes.

#include "driftd/drift/sample_counts.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "driftd/stats/bin_edges.hpp"
#include "driftd/stats/chi_squared.hpp"

namespace driftd::drift {
namespace {

constexpr std::uint32_t k_sample_format = 1;
constexpr std::size_t k_header_bytes = 40;
constexpr std::uint32_t k_max_features = 4096;

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t get_bytes(std::span<const std::uint8_t> in, std::size_t at, int width) {
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i) v |= static_cast<std::uint64_t>(in[at + i]) << (8 * i);
  return v;
}

Error mismatch(const char* message) {
  return make_error("sample_mismatch", message);
}

}  // namespace

SampleCounts::SampleCounts(std::size_t features, std::size_t bins)
    : m_features(features, stats::ClipBinCounts(bins)), m_bins(bins) {}

Status SampleCounts::add_clip(std::span<const std::vector<std::size_t>> window_bins,
                              WindowGeometry geometry) {
  if (window_bins.empty()) return Ok{};
  for (const auto& window : window_bins) {
    if (window.size() != features()) return mismatch("a window has the wrong number of features");
    for (std::size_t bin : window) {
      if (bin >= m_bins) return mismatch("a window's bin is out of range");
    }
  }
  std::vector<std::size_t> column(window_bins.size());
  for (std::size_t f = 0; f < features(); ++f) {
    for (std::size_t w = 0; w < window_bins.size(); ++w) column[w] = window_bins[w][f];
    m_features[f].add_clip(column);
  }
  const auto k = static_cast<std::int64_t>(window_bins.size());
  m_windows += k;
  ++m_clips;
  m_overlap_weight += static_cast<double>(k) * drift::overlap_design_effect(k, geometry);
  return Ok{};
}

Status SampleCounts::merge(const SampleCounts& other) {
  if (m_features.empty() && m_windows == 0) {
    *this = other;
    return Ok{};
  }
  if (other.m_features.empty() && other.m_windows == 0) return Ok{};
  if (other.features() != features() || other.bins() != bins()) {
    return mismatch("samples have different features or bins");
  }
  for (std::size_t f = 0; f < features(); ++f) {
    if (Status merged = m_features[f].merge(other.m_features[f]); !merged) return merged;
  }
  m_windows += other.m_windows;
  m_clips += other.m_clips;
  m_overlap_weight += other.m_overlap_weight;
  return Ok{};
}

double SampleCounts::overlap_design_effect() const {
  if (m_windows <= 0) return 1.0;
  return std::max(1.0, m_overlap_weight / static_cast<double>(m_windows));
}

double SampleCounts::design_effect(std::size_t feature) const {
  const double model = overlap_design_effect();
  const auto measured = m_features[feature].design_effect();
  if (!measured || !(measured->degrees_of_freedom > 0)) return model;
  // D̂·ν/ν is χ²(ν)/ν-distributed around D: its one-sided upper confidence bound is
  // D̂·ν / χ²_{lower}(ν). An underestimated D overstates significance; an overestimate only
  // costs power, so the bound is used — and never less than the overlap model.
  const double df = measured->degrees_of_freedom;
  const double lower_quantile = stats::chi_squared_critical(k_design_effect_confidence, df);
  const double upper_bound = lower_quantile > 0 ? measured->value * df / lower_quantile : model;
  return std::max({1.0, model, upper_bound});
}

double SampleCounts::effective_windows(std::size_t feature) const {
  if (m_windows <= 0) return 0.0;
  return static_cast<double>(m_windows) / design_effect(feature);
}

std::vector<std::uint8_t> SampleCounts::to_bytes() const {
  std::vector<std::uint8_t> out;
  put_u32(out, k_sample_format);
  put_u32(out, static_cast<std::uint32_t>(features()));
  put_u32(out, static_cast<std::uint32_t>(m_bins));
  put_u32(out, 0);
  put_u64(out, static_cast<std::uint64_t>(m_windows));
  put_u64(out, m_clips);
  put_u64(out, std::bit_cast<std::uint64_t>(m_overlap_weight));
  for (const auto& feature : m_features) {
    const std::vector<std::uint8_t> blob = feature.to_bytes();
    out.insert(out.end(), blob.begin(), blob.end());
  }
  return out;
}

Result<SampleCounts> SampleCounts::from_bytes(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < k_header_bytes) {
    return make_error("bad_blob", "sample blob shorter than its header");
  }
  if (get_bytes(bytes, 0, 4) != k_sample_format) {
    return make_error("bad_blob", "sample blob has an unknown format version");
  }
  const auto features = static_cast<std::uint32_t>(get_bytes(bytes, 4, 4));
  const auto bins = static_cast<std::uint32_t>(get_bytes(bytes, 8, 4));
  const std::size_t feature_bytes = 24 + 24ULL * bins;
  if (features > k_max_features || bins > static_cast<std::uint32_t>(stats::k_max_bins) ||
      bytes.size() != k_header_bytes + features * feature_bytes) {
    return make_error("bad_blob", "sample blob size does not match its header");
  }
  SampleCounts sample(features, bins);
  sample.m_windows = static_cast<std::int64_t>(get_bytes(bytes, 16, 8));
  sample.m_clips = get_bytes(bytes, 24, 8);
  sample.m_overlap_weight = std::bit_cast<double>(get_bytes(bytes, 32, 8));
  if (sample.m_windows < 0 || !std::isfinite(sample.m_overlap_weight)) {
    return make_error("bad_blob", "sample blob holds impossible totals");
  }
  for (std::uint32_t f = 0; f < features; ++f) {
    auto feature = stats::ClipBinCounts::from_bytes(
        bytes.subspan(k_header_bytes + f * feature_bytes, feature_bytes));
    if (!feature) return feature.error();
    if (feature->windows() != static_cast<std::uint64_t>(sample.m_windows) ||
        feature->clips() != sample.m_clips) {
      return make_error("bad_blob", "sample blob features disagree with its totals");
    }
    sample.m_features[f] = std::move(feature.value());
  }
  return sample;
}

}  // namespace driftd::drift
