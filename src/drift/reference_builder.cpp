// Training clips → reference: bins and histograms (build_reference), plus the training
// labels as the prediction reference.

#include "driftd/drift/reference_builder.hpp"

#include <map>
#include <utility>

namespace driftd::drift {

ClipFeatures drift_vectors(const audio::ClipFeatures& clip) {
  ClipFeatures rows;
  rows.reserve(clip.windows.size());
  for (const auto& window : clip.windows) rows.push_back(audio::drift_features(window));
  return rows;
}

ReferenceShape reference_shape(const config::Features& features, const config::Drift& drift) {
  ReferenceShape shape;
  shape.names = audio::drift_feature_names(static_cast<std::size_t>(features.mfcc.num_cepstral));
  shape.bins = drift.bins;
  shape.geometry = geometry_from(features);
  return shape;
}

PredictionSample training_predictions(std::span<const LabeledClip> clips) {
  PredictionSample sample;
  std::uint64_t labeled_clips = 0;
  std::uint64_t labeled_windows = 0;
  for (const auto& clip : clips) {
    if (!clip.label || clip.windows.empty()) continue;
    ++labeled_clips;
    labeled_windows += clip.windows.size();
    sample.labels[*clip.label] += clip.windows.size();
  }
  sample.results_per_unit =
      labeled_clips > 0 ? static_cast<double>(labeled_windows) / static_cast<double>(labeled_clips)
                        : 1.0;
  return sample;
}

Result<Reference> build_training_reference(const ReferenceShape& shape,
                                           std::span<const LabeledClip> clips) {
  std::vector<ClipFeatures> windows;
  windows.reserve(clips.size());
  for (const auto& clip : clips) windows.push_back(clip.windows);
  auto reference = build_reference(shape.names, windows, shape.bins, shape.geometry);
  if (!reference) return reference.error();
  reference.value().predictions = training_predictions(clips);
  return reference;
}

std::vector<std::pair<std::string, LabelTally>> tally_labels(std::span<const LabeledClip> clips) {
  std::map<std::string, LabelTally> tallies;
  for (const auto& clip : clips) {
    LabelTally& tally = tallies[clip.label.value_or("")];
    ++tally.clips;
    tally.windows += clip.windows.size();
  }
  return {tallies.begin(), tallies.end()};
}

Result<SampleCounts> bin_sample(const Reference& reference, std::span<const ClipFeatures> clips,
                                WindowGeometry geometry) {
  SampleCounts sample = empty_sample(reference);
  for (std::size_t c = 0; c < clips.size(); ++c) {
    if (Status added = add_clip(sample, reference, clips[c], geometry); !added) {
      Error error = added.error();
      error.index = c;
      return error;
    }
  }
  return sample;
}

}  // namespace driftd::drift
