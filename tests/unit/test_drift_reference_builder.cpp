// From training clips to a reference: the bins and histograms of build_reference(), the
// training labels as the prediction reference, and binning a current set with its edges.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/drift/evaluation.hpp"
#include "driftd/drift/reference_builder.hpp"
#include "support/audio_fixtures.hpp"
#include "support/drift_fixtures.hpp"

using namespace driftd;
using namespace driftd::drift;
using driftd::test::NormalSource;

namespace {

const ReferenceShape k_shape{{"mfcc_0", "rms_dbfs"}, 4, WindowGeometry{1000, 300}};

// A clip of `windows` windows of two features drawn from N(shift, 1).
ClipFeatures clip_of(NormalSource& rng, std::size_t windows, double shift = 0) {
  ClipFeatures clip;
  for (std::size_t w = 0; w < windows; ++w) clip.push_back({rng.next() + shift, rng.next()});
  return clip;
}

std::vector<LabeledClip> training_set() {
  NormalSource rng(7);
  return {{"dog", clip_of(rng, 3)},
          {"dog", clip_of(rng, 5)},
          {"cat", clip_of(rng, 4)},
          {std::nullopt, clip_of(rng, 2)}};
}

}  // namespace

TEST_CASE("training labels are counted per window and each labelled clip is one unit") {
  const auto clips = training_set();
  const PredictionSample predictions = training_predictions(clips);
  CHECK(predictions.labels == stats::LabelCounts{{"cat", 4}, {"dog", 8}});
  CHECK(predictions.results_per_unit == doctest::Approx(12.0 / 3.0));
  CHECK(predictions.confidence.count == 0);
}

TEST_CASE("a set without labels has an empty prediction reference counted one per window") {
  NormalSource rng(1);
  const std::vector<LabeledClip> clips{{std::nullopt, clip_of(rng, 6)}};
  const PredictionSample predictions = training_predictions(clips);
  CHECK(predictions.labels.empty());
  CHECK(predictions.results_per_unit == 1.0);
}

TEST_CASE("the training reference has exactly the bins and histograms of build_reference") {
  const auto clips = training_set();
  std::vector<ClipFeatures> windows;
  for (const auto& clip : clips) windows.push_back(clip.windows);
  auto plain = build_reference(k_shape.names, windows, k_shape.bins, k_shape.geometry);
  auto training = build_training_reference(k_shape, clips);
  REQUIRE(plain.ok());
  REQUIRE(training.ok());
  REQUIRE(training->features.size() == 2);
  for (std::size_t f = 0; f < 2; ++f) {
    CHECK(training->features[f].name == k_shape.names[f]);
    CHECK(training->features[f].edges == plain->features[f].edges);
  }
  CHECK(training->counts.to_bytes() == plain->counts.to_bytes());
  CHECK(training->counts.windows() == 14);
  CHECK(training->counts.clips() == 4);
  CHECK(stats::total(training->predictions.labels) == 12);
}

TEST_CASE("a training set without windows is refused as an empty reference") {
  const std::vector<LabeledClip> clips{{"dog", {}}};
  auto reference = build_training_reference(k_shape, clips);
  REQUIRE_FALSE(reference.ok());
  CHECK(reference.error().code == "empty_reference");
}

TEST_CASE("the label tally counts clips and windows per label, unlabeled under the empty name") {
  const auto tally = tally_labels(training_set());
  REQUIRE(tally.size() == 3);
  CHECK(tally[0].first == "");
  CHECK(tally[0].second.clips == 1);
  CHECK(tally[1].first == "cat");
  CHECK(tally[1].second.windows == 4);
  CHECK(tally[2].first == "dog");
  CHECK(tally[2].second.clips == 2);
  CHECK(tally[2].second.windows == 8);
}

TEST_CASE("the reference shape follows the features and drift config") {
  config::Features features;
  features.mfcc.num_cepstral = 5;
  features.window_ms = 500;
  features.window_increase_ms = 250;
  config::Drift drift;
  drift.bins = 7;
  const ReferenceShape shape = reference_shape(features, drift);
  REQUIRE(shape.names.size() == 6);
  CHECK(shape.names.front() == "mfcc_0");
  CHECK(shape.names.back() == "rms_dbfs");
  CHECK(shape.bins == 7);
  CHECK(shape.geometry.window_ms == 500);
  CHECK(shape.geometry.window_increase_ms == 250);
}

TEST_CASE("an analysed clip gives one drift vector per window ending with its level") {
  auto analyzer = audio::ClipAnalyzer::create(config::Features{});
  REQUIRE(analyzer.ok());
  const auto samples = test::tone(440, 8000, 16000, 40000);  // 2.5 s: 6 windows
  auto clip = analyzer->analyze_samples(samples);
  REQUIRE(clip.ok());
  const ClipFeatures rows = drift_vectors(clip.value());
  REQUIRE(rows.size() == 6);
  for (std::size_t w = 0; w < rows.size(); ++w) {
    REQUIRE(rows[w].size() == 14);
    CHECK(rows[w][13] == clip->windows[w].rms_dbfs);
    CHECK(rows[w] == audio::drift_features(clip->windows[w]));
  }
}

TEST_CASE("a current set is binned with the reference's edges and a bad clip is named") {
  const auto clips = training_set();
  auto reference = build_training_reference(k_shape, clips);
  REQUIRE(reference.ok());
  NormalSource rng(99);
  std::vector<ClipFeatures> current{clip_of(rng, 10), clip_of(rng, 20)};
  auto sample = bin_sample(reference.value(), current, k_shape.geometry);
  REQUIRE(sample.ok());
  CHECK(sample->windows() == 30);
  CHECK(sample->clips() == 2);
  CHECK(sample->bins() == 4);

  current.push_back({{std::nan(""), 0.0}});
  auto refused = bin_sample(reference.value(), current, k_shape.geometry);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "non_finite_value");
  CHECK(refused.error().index == std::optional<std::size_t>(2));
}

TEST_CASE("a training reference skips the confidence test and scores the label mix by clips") {
  NormalSource rng(3);
  std::vector<LabeledClip> clips;
  for (int c = 0; c < 40; ++c) clips.push_back({c % 2 ? "dog" : "cat", clip_of(rng, 5)});
  auto reference = build_training_reference(k_shape, clips);
  REQUIRE(reference.ok());
  std::vector<ClipFeatures> current_clips;
  for (int c = 0; c < 40; ++c) current_clips.push_back(clip_of(rng, 5));
  auto counts = bin_sample(reference.value(), current_clips, k_shape.geometry);
  REQUIRE(counts.ok());
  PredictionSample results;
  results.labels = {{"cat", 100}, {"dog", 100}};
  for (int i = 0; i < 200; ++i) results.confidence.add(i % 2 ? 0.8 : 0.9);
  Thresholds thresholds;
  thresholds.min_windows = 10;
  auto evaluation = evaluate(reference.value(), CurrentSample{counts.value(), results}, thresholds,
                             EvaluationContext{"12", std::nullopt, 0, 0, 0});
  REQUIRE(evaluation.ok());
  REQUIRE(evaluation->predictions.has_value());
  CHECK_FALSE(evaluation->predictions->reference_mean_confidence.has_value());
  CHECK_FALSE(evaluation->predictions->confidence.has_value());
  REQUIRE(evaluation->predictions->labels.has_value());
  // 200 reference windows in 40 clips: the label test's reference is worth 40 units.
  CHECK(evaluation->predictions->labels->effective.reference == doctest::Approx(40.0));
  CHECK(evaluation->predictions->reference_results == 200);
  CHECK(evaluation->tests == 3);  // two features and the label mix
}
