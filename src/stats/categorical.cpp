// Label mixes as histograms over the union of labels.

#include "driftd/stats/categorical.hpp"

namespace driftd::stats {

void merge_labels(LabelCounts& into, const LabelCounts& other) {
  for (const auto& [label, count] : other) into[label] += count;
}

std::uint64_t total(const LabelCounts& counts) {
  std::uint64_t sum = 0;
  for (const auto& entry : counts) sum += entry.second;
  return sum;
}

AlignedLabels align_labels(const LabelCounts& reference, const LabelCounts& current) {
  AlignedLabels aligned;
  std::vector<std::uint64_t> ref;
  std::vector<std::uint64_t> cur;
  auto r = reference.begin();
  auto c = current.begin();
  // A merge of two sorted maps: each step takes the smaller label (or both when equal).
  while (r != reference.end() || c != current.end()) {
    const bool take_ref = c == current.end() || (r != reference.end() && r->first <= c->first);
    const bool take_cur = r == reference.end() || (c != current.end() && c->first <= r->first);
    const std::string& label = take_ref ? r->first : c->first;
    const std::uint64_t n_ref = take_ref ? r->second : 0;
    const std::uint64_t n_cur = take_cur ? c->second : 0;
    if (n_ref > 0 || n_cur > 0) {
      aligned.labels.push_back(label);
      ref.push_back(n_ref);
      cur.push_back(n_cur);
    }
    if (take_ref) ++r;
    if (take_cur) ++c;
  }
  aligned.reference = BinCounts(std::move(ref));
  aligned.current = BinCounts(std::move(cur));
  return aligned;
}

}  // namespace driftd::stats
