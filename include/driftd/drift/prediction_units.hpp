#pragma once
// How many results make one independent observation in the live engine's prediction tests
// (PredictionSample::results_per_unit). Devices classify overlapping windows back to back
// and what they hear comes in episodes (a crying bout lasts minutes), so consecutive
// results are far from independent. The engine keeps the results of each (device, time
// bucket) apart — a cluster — and measures the design effect of the label histogram from
// the scatter of the clusters' histograms, as stats::ClipBinCounts does for windows within
// clips (docs/drift.md §2.2):
//   Y = Σ_b (R_b / p_b − 2·T_b + p_b·K),  D = Y·n / ((B' − 1)(n² − K))
// with S_cb the results of cluster c with label b, k_c its size, R_b = Σ_c S_cb²,
// T_b = Σ_c k_c·S_cb, K = Σ_c k_c², n = Σ_c k_c and B' the labels seen. All sums are
// over clusters, so devices merge into the fleet by addition. Pure.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "driftd/stats/categorical.hpp"

namespace driftd::drift {

// One label's count in a cluster; the label text is only borrowed.
struct LabelCount {
  std::string_view label;
  std::uint64_t count = 0;
};

class LabelClusters {
 public:
  // Adds one cluster (each label at most once; zero counts are ignored).
  void add_cluster(std::span<const LabelCount> cluster);
  // Adds another set of clusters.
  void merge(const LabelClusters& other);

  // Results per label over all clusters.
  stats::LabelCounts labels() const;
  std::uint64_t results() const { return m_results; }
  std::uint64_t clusters() const { return m_clusters; }

  // max(1, D) above; 1 when D cannot be estimated (fewer than two clusters holding
  // results, fewer than two labels, or every result in one cluster).
  double results_per_unit() const;

 private:
  struct Sums {
    std::uint64_t n = 0;  // n_b
    double r = 0;         // R_b
    double t = 0;         // T_b
  };
  std::map<std::string, Sums, std::less<>> m_by_label;
  std::uint64_t m_results = 0;  // n
  std::uint64_t m_clusters = 0;
  double m_size_squares = 0;  // K
};

}  // namespace driftd::drift
