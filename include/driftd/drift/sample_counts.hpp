#pragma once
// The histograms of one sample of windows — a reference, or the current data of one device
// in one time bucket — for every feature, gathered clip by clip over the reference's frozen
// bins. Samples merge by addition (buckets into a window, devices into the fleet) and store
// as one blob.
//
// Effective size of feature f: windows / D_f, where D_f, the design effect, is the upper
// one-sided confidence bound of the measured one (from the scatter of the clips' histograms,
// stats::ClipBinCounts), never less than the overlap model (the window-weighted mean of
// D(k) over the clips, drift/effective_size.hpp), which bounds it from below once clips
// carry shared conditions:
//   D_f = max(1, D_overlap, D̂_f·ν / χ²_{1−c}(ν)),  ν = (clips − 1)(occupied bins − 1)
// with c = k_design_effect_confidence and χ²_{1−c}(ν) the lower (1 − c) quantile. Few
// clips: a wide bound, so a cautious size; many: the measurement decides.
// docs/drift.md derives both and shows the simulations behind the choice.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "driftd/drift/effective_size.hpp"
#include "driftd/stats/clip_bin_counts.hpp"
#include "driftd/util/result.hpp"

namespace driftd::drift {

// The confidence of the upper bound on the measured design effect.
inline constexpr double k_design_effect_confidence = 0.95;

class SampleCounts {
 public:
  // An empty sample with no features.
  SampleCounts() = default;

  // An empty sample over `features` features of `bins` bins each.
  SampleCounts(std::size_t features, std::size_t bins);

  std::size_t features() const { return m_features.size(); }
  std::size_t bins() const { return m_bins; }
  std::int64_t windows() const { return m_windows; }
  std::uint64_t clips() const { return m_clips; }

  // Σ over clips of k·D(k): the variance the clips' overlap alone implies, in window units.
  double overlap_weight() const { return m_overlap_weight; }

  // Feature i's clip-grouped histogram (i < features()).
  const stats::ClipBinCounts& feature(std::size_t i) const { return m_features[i]; }

  // Adds one clip: window_bins[w][f] is the bin of feature f in window w. Refuses
  // ("sample_mismatch") a window with the wrong number of features or a bin out of range,
  // adding nothing. A clip with no windows adds nothing.
  Status add_clip(std::span<const std::vector<std::size_t>> window_bins, WindowGeometry geometry);

  // Adds another sample. Refuses ("sample_mismatch") different features or bins; merging
  // into a default-constructed sample copies the other.
  Status merge(const SampleCounts& other);

  // D_f above: at least 1.
  double design_effect(std::size_t feature) const;

  // The overlap model's design effect alone: overlap_weight() / windows(), 1 when empty.
  double overlap_design_effect() const;

  // windows() / design_effect(feature): the number of independent windows the sample is
  // worth for that feature. 0 for an empty sample.
  double effective_windows(std::size_t feature) const;

  // Versioned little-endian blob: u32 format (1), u32 features, u32 bins, u32 reserved (0),
  // u64 windows, u64 clips, f64 overlap weight, then each feature's ClipBinCounts blob.
  std::vector<std::uint8_t> to_bytes() const;

  // Reads to_bytes() output; refuses ("bad_blob") anything else.
  static Result<SampleCounts> from_bytes(std::span<const std::uint8_t> bytes);

 private:
  std::vector<stats::ClipBinCounts> m_features;
  std::size_t m_bins = 0;
  std::int64_t m_windows = 0;
  std::uint64_t m_clips = 0;
  double m_overlap_weight = 0;
};

}  // namespace driftd::drift
