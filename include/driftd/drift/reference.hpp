#pragma once
// The reference of a model version: per feature its frozen bins, the reference sample's
// histograms over them, and the reference prediction statistics. Built once from the
// reference clips' per-window features; current clips are binned with the same edges.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "driftd/drift/effective_size.hpp"
#include "driftd/drift/sample_counts.hpp"
#include "driftd/stats/categorical.hpp"
#include "driftd/stats/moments.hpp"
#include "driftd/util/result.hpp"

namespace driftd::drift {

// The per-window features of one clip: rows[w][f] is feature f of window w, in the order of
// the reference's features (audio::drift_features() / audio::drift_feature_names()).
using ClipFeatures = std::vector<std::vector<double>>;

// One feature's frozen bins: its name and bins−1 quantile edges (SPEC §6). Its reference
// counts are Reference::counts.feature(i).
struct ReferenceBins {
  std::string name;
  std::vector<double> edges;
};

// Prediction statistics of a sample: predicted-label counts and confidence moments.
// `results_per_unit` says how many results make one independent observation (1: every
// result is independent); the significance tests divide the counts by it.
struct PredictionSample {
  stats::LabelCounts labels;
  stats::Moments confidence;
  double results_per_unit = 1.0;
};

struct Reference {
  std::vector<ReferenceBins> features;
  SampleCounts counts;           // the reference windows binned with `features`' edges
  PredictionSample predictions;  // may be empty: the prediction tests are then skipped
};

// Builds the bins of every feature from all windows of all clips and bins the clips with
// them. Refuses: no windows ("empty_reference"), bins outside [2, 1000] ("bad_bins"), a
// window whose width differs from names.size() ("feature_mismatch", index = clip), a NaN
// or infinite value ("non_finite_value", index = clip). Predictions are left empty.
Result<Reference> build_reference(std::span<const std::string> names,
                                  std::span<const ClipFeatures> clips, int bins,
                                  WindowGeometry geometry);

// An empty sample shaped like the reference's (same features and bins).
SampleCounts empty_sample(const Reference& reference);

// The bin of every feature of every window of a clip, with the reference's edges. Refuses a
// window of the wrong width ("feature_mismatch", index = window) or a NaN value
// ("non_finite_value", index = window).
Result<std::vector<std::vector<std::size_t>>> bin_clip(const Reference& reference,
                                                       const ClipFeatures& clip);

// bin_clip() then sample.add_clip(); the sample must be shaped like the reference's.
Status add_clip(SampleCounts& sample, const Reference& reference, const ClipFeatures& clip,
                WindowGeometry geometry);

}  // namespace driftd::drift
