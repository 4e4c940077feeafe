#pragma once
// Categorical distributions (the predicted-label mix) as histograms whose bins are labels,
// so they are scored with the same smoothing and divergences as the numeric features.
//
// Two label sets are compared over their union, in byte-wise sorted label order: a label
// seen on one side only is a bin with a zero count on the other, which the smoothing turns
// into a small positive proportion (0.5 / (N + 0.5·K) for K labels in the union). A label
// with a zero count on both sides is not a bin.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "driftd/stats/bin_counts.hpp"

namespace driftd::stats {

// Count per label. Merging is per-label addition (merge_labels).
using LabelCounts = std::map<std::string, std::uint64_t, std::less<>>;

// Adds `other` into `into`, label by label.
void merge_labels(LabelCounts& into, const LabelCounts& other);

// The sum of all counts.
std::uint64_t total(const LabelCounts& counts);

// Two label distributions laid over the same bins: labels[i] is bin i of both histograms.
struct AlignedLabels {
  std::vector<std::string> labels;
  BinCounts reference;
  BinCounts current;
};

// The union of the labels with a non-zero count on either side, sorted, and both sides'
// counts over it (zero where a side never saw the label).
AlignedLabels align_labels(const LabelCounts& reference, const LabelCounts& current);

}  // namespace driftd::stats
