#pragma once
// Compact storage forms of the live engine's aggregates, and a fast sum over many of them.
//
// A time bucket's histograms (drift::SampleCounts) are stored once per (model version,
// device, bucket) and an evaluation adds up every bucket of its window — 24 000 of them for
// 1 000 devices and hourly buckets. The fixed-width blob of SampleCounts::to_bytes() spends
// 24 bytes per bin on numbers that are mostly below 2^14, so the stored form writes every
// integer as an unsigned LEB128 varint instead (about a quarter of the size), and keeps
// the clip count C and K = Σ k_c² once, since every feature of a sample shares them.
// SampleSum adds such blobs into flat integer arrays without building a SampleCounts per
// blob; only the total becomes one. Pure: bytes in, values out.
//
// Layouts (all varints unsigned LEB128, at most 10 bytes each):
//   counts: u8 format (1), features, bins, windows, clips, K, f64 overlap weight (8 bytes
//           little-endian IEEE), then for each feature and bin: n_b, R_b, T_b
//   labels: u8 format (1), label count, then per label (sorted): byte length, bytes, count

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "driftd/drift/prediction_units.hpp"
#include "driftd/drift/sample_counts.hpp"
#include "driftd/stats/categorical.hpp"
#include "driftd/util/result.hpp"

namespace driftd::drift {

// The compact form of `sample` (layout above).
std::vector<std::uint8_t> to_compact_bytes(const SampleCounts& sample);

// Reads to_compact_bytes() output; refuses ("bad_blob") anything else, including sums no
// set of clips can produce.
Result<SampleCounts> from_compact_bytes(std::span<const std::uint8_t> bytes);

// The sum of many compact samples of one shape.
class SampleSum {
 public:
  // An empty sum; its shape is taken from the first sample added.
  SampleSum() = default;

  bool empty() const { return m_windows == 0 && m_clips == 0; }
  std::size_t features() const { return m_features; }
  std::size_t bins() const { return m_bins; }
  std::uint64_t windows() const { return m_windows; }
  std::uint64_t clips() const { return m_clips; }

  // Adds one compact blob. Refuses ("bad_blob") a malformed blob and ("sample_mismatch")
  // one shaped differently from the samples added before, leaving the sum unchanged.
  Status add_compact(std::span<const std::uint8_t> bytes);

  // Adds another sum of the same shape (or any sum to an empty one).
  Status add(const SampleSum& other);

  // The total as a SampleCounts; an empty SampleCounts over (features, bins) when nothing
  // was added after a shape was set, a default one when no shape is known.
  Result<SampleCounts> to_sample() const;

 private:
  std::size_t m_features = 0;
  std::size_t m_bins = 0;
  std::uint64_t m_windows = 0;
  std::uint64_t m_clips = 0;
  std::uint64_t m_size_squares = 0;  // K
  double m_overlap_weight = 0;
  std::vector<std::uint64_t> m_cells;    // [feature][bin][n, R, T]
  std::vector<std::uint64_t> m_scratch;  // a malformed blob's cells, to take back out
};

// The compact form of label counts (layout above); an empty map gives a valid blob.
std::vector<std::uint8_t> labels_to_bytes(const stats::LabelCounts& labels);

// The entries of a labels_to_bytes() blob, as views into `bytes` (valid while they are),
// replacing the contents of `out`. Refuses ("bad_blob") anything else, leaving `out` empty.
Status read_label_bytes(std::span<const std::uint8_t> bytes, std::vector<LabelCount>& out);

// Adds the counts of a labels_to_bytes() blob into `into`. Refuses ("bad_blob") anything
// else, adding nothing then.
Status add_label_bytes(stats::LabelCounts& into, std::span<const std::uint8_t> bytes);

}  // namespace driftd::drift
