#pragma once
// From analysed training clips to a drift::Reference: the one place where baseline import,
// baseline pull and `driftd compare` turn audio::ClipFeatures into frozen bins, reference
// histograms and the reference's prediction statistics (docs/drift.md, "References").
// Pure: values in, values out.
//
// Prediction reference: the training labels, counted per window (a device reports one
// result per classified window), with results_per_unit = labelled windows / labelled clips
// so that the label test counts each training clip as one independent observation. The
// training data carries no confidences, so the reference has none and the confidence test
// is skipped (reference_mean_confidence is null).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/config/config.hpp"
#include "driftd/drift/reference.hpp"
#include "driftd/drift/sample_counts.hpp"
#include "driftd/stats/categorical.hpp"
#include "driftd/util/result.hpp"

namespace driftd::drift {

// The drift feature vector of every window of an analysed clip (audio::drift_features()).
ClipFeatures drift_vectors(const audio::ClipFeatures& clip);

// One training clip: its label (nothing when unlabeled) and its windows' drift features.
struct LabeledClip {
  std::optional<std::string> label;
  ClipFeatures windows;
};

// How references are cut and binned: feature names, bins and window geometry.
struct ReferenceShape {
  std::vector<std::string> names;  // audio::drift_feature_names(num_cepstral)
  int bins = 10;
  WindowGeometry geometry;
};

// The shape the config describes: features.mfcc.num_cepstral + 1 features, drift.bins,
// the features' window geometry.
ReferenceShape reference_shape(const config::Features& features, const config::Drift& drift);

// Per-label totals of a set of training clips, for summaries.
struct LabelTally {
  std::uint64_t clips = 0;
  std::uint64_t windows = 0;
};

// Builds the reference: bins and histograms from every window of every clip
// (build_reference()), and the prediction reference from the labels (header comment).
// Errors are those of build_reference(), the index naming the clip.
Result<Reference> build_training_reference(const ReferenceShape& shape,
                                           std::span<const LabeledClip> clips);

// The prediction sample of a set of training clips alone (labels per window,
// results_per_unit as above; no confidences). Unlabeled clips are not counted.
PredictionSample training_predictions(std::span<const LabeledClip> clips);

// Clips and windows per label ("" collects unlabeled clips), sorted by label.
std::vector<std::pair<std::string, LabelTally>> tally_labels(std::span<const LabeledClip> clips);

// Bins `clips` with the reference's edges into one sample. Refuses what add_clip() refuses,
// with the index of the clip.
Result<SampleCounts> bin_sample(const Reference& reference, std::span<const ClipFeatures> clips,
                                WindowGeometry geometry);

}  // namespace driftd::drift
