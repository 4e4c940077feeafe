#pragma once
// Bin counts gathered clip by clip, keeping what is needed to measure how strongly the
// windows of one clip resemble each other: the design effect of the histogram.
//
// Windows of the same clip overlap and share their recording conditions, so a clip of k
// windows carries less information than k independent windows. For bin b, let S_cb be the
// number of clip c's windows in bin b, k_c the clip's window count, n = Σ k_c. Kept exactly,
// as integers: n_b = Σ_c S_cb, R_b = Σ_c S_cb², T_b = Σ_c k_c·S_cb, C (clips) and
// K = Σ_c k_c². All are sums over clips, so two samples merge by addition.
//
// design_effect() estimates D = Var(histogram) / Var(histogram of n independent windows)
// from the scatter of the clips' bin counts around the pooled proportions p_b = n_b / n
// (a first-order Rao–Scott estimate, weighted by clip size):
//   Y = Σ_c Σ_b (S_cb − k_c p_b)² / p_b = Σ_b (R_b / p_b − 2·T_b + p_b·K)
//   D = Y · n / ((B' − 1)(n² − K))            (B' = bins with n_b > 0)
// With one window per clip D = n / (n − 1); when every clip keeps all its windows in one
// bin, D = k·C / (C − 1) for clips of k windows. docs/drift.md has the derivation.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "driftd/stats/bin_counts.hpp"
#include "driftd/util/result.hpp"

namespace driftd::stats {

class ClipBinCounts {
 public:
  // Empty counts over `bins` bins.
  explicit ClipBinCounts(std::size_t bins = 0);

  std::size_t bins() const { return m_counts.bins(); }
  const BinCounts& counts() const { return m_counts; }
  std::uint64_t windows() const { return m_counts.total(); }
  std::uint64_t clips() const { return m_clips; }

  // Adds one clip given the bin of each of its windows (each < bins()). An empty clip adds
  // nothing.
  void add_clip(std::span<const std::size_t> window_bins);

  // Adds another sample's counts. Refuses ("bin_mismatch") a different number of bins.
  Status merge(const ClipBinCounts& other);

  // The estimated design effect D (see above) and the degrees of freedom of the estimate,
  // (C − 1)(B' − 1): its relative standard error is about √(2 / degrees_of_freedom).
  struct DesignEffect {
    double value = 1;
    double degrees_of_freedom = 0;
  };

  // Nothing when D cannot be estimated (fewer than two clips, a single clip holding every
  // window, or every window in one bin). The estimate is noisy for few clips and may fall
  // below 1; callers floor or shrink it.
  std::optional<DesignEffect> design_effect() const;

  // Versioned little-endian blob: u32 format (1), u32 bins, u64 clips, u64 K, then per bin
  // u64 n_b, u64 R_b, u64 T_b. 24 + 24·bins bytes.
  std::vector<std::uint8_t> to_bytes() const;

  // Reads to_bytes() output; refuses ("bad_blob") anything else, including sums that no
  // set of clips can produce (R_b < n_b).
  static Result<ClipBinCounts> from_bytes(std::span<const std::uint8_t> bytes);

  friend bool operator==(const ClipBinCounts&, const ClipBinCounts&) = default;

 private:
  BinCounts m_counts;                       // n_b
  std::vector<std::uint64_t> m_squares;     // R_b = Σ_c S_cb²
  std::vector<std::uint64_t> m_size_cross;  // T_b = Σ_c k_c·S_cb
  std::uint64_t m_clips = 0;                // C
  std::uint64_t m_size_squares = 0;         // K = Σ_c k_c²
};

}  // namespace driftd::stats
