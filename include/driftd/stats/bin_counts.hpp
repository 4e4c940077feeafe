#pragma once
// Exact per-bin counts of one feature's histogram. Counts merge by addition (a day's counts
// are the sum of its hours', a fleet's the sum of its devices'), and serialise to a small
// versioned blob for storage.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "driftd/util/result.hpp"

namespace driftd::stats {

class BinCounts {
 public:
  // All-zero counts over `bins` bins.
  explicit BinCounts(std::size_t bins = 0) : m_counts(bins, 0) {}

  // Takes the given counts as they are.
  explicit BinCounts(std::vector<std::uint64_t> counts) : m_counts(std::move(counts)) {}

  std::size_t bins() const { return m_counts.size(); }
  std::uint64_t operator[](std::size_t bin) const { return m_counts[bin]; }
  std::span<const std::uint64_t> counts() const { return m_counts; }

  // The sum of all bins.
  std::uint64_t total() const;

  // Adds n to one bin; `bin` must be < bins().
  void add(std::size_t bin, std::uint64_t n = 1) { m_counts[bin] += n; }

  // Adds another histogram bin by bin. Refuses ("bin_mismatch") a different number of bins,
  // leaving this one unchanged.
  Status merge(const BinCounts& other);

  // Removes another histogram's counts (e.g. one device's from the fleet's). Refuses
  // ("bin_mismatch") a different number of bins and ("negative_count") a bin that would go
  // below zero, leaving this one unchanged.
  Status subtract(const BinCounts& other);

  // The counts as a versioned little-endian blob: u32 format version (1), u32 bin count,
  // then each count as u64. 8 + 8·bins bytes.
  std::vector<std::uint8_t> to_bytes() const;

  // Reads to_bytes() output. Refuses ("bad_blob") an unknown version, a size that does not
  // match the bin count, or more than k_max_bins bins.
  static Result<BinCounts> from_bytes(std::span<const std::uint8_t> bytes);

  friend bool operator==(const BinCounts&, const BinCounts&) = default;

 private:
  std::vector<std::uint64_t> m_counts;
};

// The histogram of `values` over the bins of `edges` (edges.size() + 1 bins). Refuses
// ("non_finite_value", with the index of the first one) a sample holding NaN, since NaN has
// no bin; ±infinity lands in the end bins.
Result<BinCounts> count_values(std::span<const double> edges, std::span<const double> values);

}  // namespace driftd::stats
