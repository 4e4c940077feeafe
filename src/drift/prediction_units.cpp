// The measured design effect of a label histogram gathered in clusters.

#include "driftd/drift/prediction_units.hpp"

#include <algorithm>

namespace driftd::drift {

void LabelClusters::add_cluster(std::span<const LabelCount> cluster) {
  std::uint64_t size = 0;
  for (const auto& entry : cluster) size += entry.count;
  if (size == 0) return;
  const auto k = static_cast<double>(size);
  for (const auto& entry : cluster) {
    if (entry.count == 0) continue;
    auto it = m_by_label.find(entry.label);
    if (it == m_by_label.end()) it = m_by_label.emplace(std::string(entry.label), Sums{}).first;
    const auto s = static_cast<double>(entry.count);
    it->second.n += entry.count;
    it->second.r += s * s;
    it->second.t += k * s;
  }
  m_results += size;
  ++m_clusters;
  m_size_squares += k * k;
}

void LabelClusters::merge(const LabelClusters& other) {
  for (const auto& [label, sums] : other.m_by_label) {
    Sums& mine = m_by_label[label];
    mine.n += sums.n;
    mine.r += sums.r;
    mine.t += sums.t;
  }
  m_results += other.m_results;
  m_clusters += other.m_clusters;
  m_size_squares += other.m_size_squares;
}

stats::LabelCounts LabelClusters::labels() const {
  stats::LabelCounts counts;
  for (const auto& [label, sums] : m_by_label) counts.emplace(label, sums.n);
  return counts;
}

double LabelClusters::results_per_unit() const {
  const auto n = static_cast<double>(m_results);
  const auto labels = static_cast<double>(m_by_label.size());
  if (m_clusters < 2 || labels < 2 || n * n <= m_size_squares) return 1.0;
  double y = 0;
  for (const auto& [label, sums] : m_by_label) {
    const double p = static_cast<double>(sums.n) / n;
    y += sums.r / p - 2 * sums.t + p * m_size_squares;
  }
  return std::max(1.0, y * n / ((labels - 1) * (n * n - m_size_squares)));
}

}  // namespace driftd::drift
