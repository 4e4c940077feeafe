// Simulations of the significance rule with the sample sizes the daemon sees. Seeds are
// fixed, so every count below is deterministic; the bounds leave room for a different but
// correct random stream while still failing for a rule that does not control false alarms.

#include <doctest/doctest.h>

#include <array>
#include <functional>
#include <vector>

#include "driftd/drift/evaluation.hpp"
#include "driftd/drift/reference.hpp"
#include "driftd/drift/scoring.hpp"
#include "support/drift_fixtures.hpp"

using namespace driftd::drift;
using driftd::test::NormalSource;

namespace {

constexpr WindowGeometry k_geometry{1000, 300};

// A generator of one clip's per-window features.
using ClipGenerator = std::function<ClipFeatures(NormalSource&)>;

// `windows` windows of `features` independent N(mean, scale²) values, one window per clip.
std::vector<ClipFeatures> iid_clips(NormalSource& rng, int windows, int features, double mean = 0,
                                    double scale = 1, int shifted = -1) {
  std::vector<ClipFeatures> clips;
  for (int w = 0; w < windows; ++w) {
    std::vector<double> row(static_cast<std::size_t>(features));
    for (int f = 0; f < features; ++f) {
      const bool moved = shifted < 0 || f < shifted;
      row[static_cast<std::size_t>(f)] = moved ? mean + scale * rng.next() : rng.next();
    }
    clips.push_back(ClipFeatures{std::move(row)});
  }
  return clips;
}

// Clips of 2.5 s: 125 frames of 20 ms, windows of 50 frames every 15 (1000 ms every 300 ms),
// so 6 windows per clip; a window's feature is the mean of its frames. Frames are N(0, 1)
// plus, per clip and feature, an offset N(0, clip_sd²) shared by all its frames.
ClipFeatures overlapping_clip(NormalSource& rng, int features, double clip_sd) {
  constexpr int frames = 125, window = 50, step = 15;
  ClipFeatures clip((frames - window) / step + 1, std::vector<double>(features));
  for (int f = 0; f < features; ++f) {
    const double offset = clip_sd * rng.next();
    std::array<double, frames> values{};
    for (double& v : values) v = offset + rng.next();
    for (std::size_t w = 0; w < clip.size(); ++w) {
      double sum = 0;
      for (int i = 0; i < window; ++i) sum += values[w * step + static_cast<std::size_t>(i)];
      clip[w][static_cast<std::size_t>(f)] = sum / window;
    }
  }
  return clip;
}

std::vector<ClipFeatures> overlapping_clips(NormalSource& rng, int clips, int features,
                                            double clip_sd) {
  std::vector<ClipFeatures> out;
  for (int c = 0; c < clips; ++c) out.push_back(overlapping_clip(rng, features, clip_sd));
  return out;
}

Reference make_reference(const std::vector<ClipFeatures>& clips, int features) {
  std::vector<std::string> names;
  for (int f = 0; f < features; ++f) names.push_back("f" + std::to_string(f));
  auto reference = build_reference(names, clips, 10, k_geometry);
  REQUIRE(reference.ok());
  return std::move(reference.value());
}

CurrentSample make_current(const Reference& reference, const std::vector<ClipFeatures>& clips) {
  CurrentSample current{empty_sample(reference), std::nullopt};
  for (const auto& clip : clips)
    REQUIRE(add_clip(current.counts, reference, clip, k_geometry).ok());
  return current;
}

Evaluation evaluate_ok(const Reference& reference, const CurrentSample& current,
                       const Thresholds& thresholds = {}) {
  EvaluationContext context;
  context.model_version = "v1";
  auto evaluation = evaluate(reference, current, thresholds, context);
  REQUIRE(evaluation.ok());
  return std::move(evaluation.value());
}

bool any_significant(const Evaluation& evaluation) {
  for (const auto& feature : evaluation.features) {
    if (feature.score.significant) return true;
  }
  return false;
}

// Whether any feature is significant when every window is counted as independent.
bool any_significant_naively(const Reference& reference, const CurrentSample& current) {
  const double alpha = per_test_alpha(0.01, static_cast<int>(reference.features.size()));
  const SampleSizes naive{static_cast<double>(reference.counts.windows()),
                          static_cast<double>(current.counts.windows())};
  for (std::size_t f = 0; f < reference.features.size(); ++f) {
    const auto score = score_histograms(reference.counts.feature(f).counts(),
                                        current.counts.feature(f).counts(), naive, 9, alpha, {});
    if (score.significant) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("stationary data never alarms at the default settings") {
  // 14 features, references of N = 4000 windows, current samples of M = 200 … 2000.
  constexpr int features = 14;
  const std::array<int, 4> sizes{200, 500, 1000, 2000};
  int evaluations = 0, alarms = 0, warns = 0, significant = 0, warns_without_gate = 0;
  Thresholds ungated;
  ungated.warn_requires_significance = false;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    NormalSource rng(seed);
    const Reference reference = make_reference(iid_clips(rng, 4000, features), features);
    for (int e = 0; e < 20; ++e) {
      const int m = sizes[static_cast<std::size_t>(e) % sizes.size()];
      const CurrentSample current = make_current(reference, iid_clips(rng, m, features));
      const Evaluation evaluation = evaluate_ok(reference, current);
      ++evaluations;
      alarms += evaluation.status == DriftStatus::alarm;
      warns += evaluation.status == DriftStatus::warn;
      significant += any_significant(evaluation);
      warns_without_gate += evaluate_ok(reference, current, ungated).status != DriftStatus::ok;
    }
  }
  MESSAGE("stationary: " << evaluations << " evaluations, " << alarms << " alarm, " << warns
                         << " warn, " << significant << " with a significant feature, "
                         << warns_without_gate << " warn or worse if warn ignored significance");
  CHECK(evaluations == 200);
  CHECK(alarms == 0);
  CHECK(significant <= 6);  // family-wise α = 1%: about 2 expected
  CHECK(warns <= significant);
  CHECK(warns_without_gate > 3 * (warns + 1));
}

TEST_CASE("overlapping windows of a clip are not counted as independent") {
  // iid frames, 2.5 s clips of 6 overlapping windows; references of 700 clips (4200
  // windows), current samples of 100 clips (600 windows).
  constexpr int features = 4;
  int evaluations = 0, naive = 0, corrected = 0;
  double design_effect_sum = 0;
  for (std::uint64_t seed = 100; seed < 104; ++seed) {
    NormalSource rng(seed);
    const Reference reference =
        make_reference(overlapping_clips(rng, 700, features, 0.0), features);
    for (int e = 0; e < 50; ++e) {
      const CurrentSample current =
          make_current(reference, overlapping_clips(rng, 100, features, 0.0));
      ++evaluations;
      naive += any_significant_naively(reference, current);
      corrected += any_significant(evaluate_ok(reference, current));
      design_effect_sum += current.counts.feature(0).design_effect()->value;
    }
  }
  const double mean_design_effect = design_effect_sum / evaluations;
  MESSAGE("overlap: " << evaluations << " evaluations, significant naively " << naive
                      << ", with effective sizes " << corrected << "; mean measured design effect "
                      << mean_design_effect << " (overlap bound 2.8)");
  CHECK(naive >= 20);
  CHECK(corrected <= 6);
  CHECK(mean_design_effect > 1.2);
  CHECK(mean_design_effect < 2.8);
}

TEST_CASE("clip-level recording conditions are measured, not assumed away") {
  // Each clip shifts all its frames by N(0, 0.2²): windows of a clip resemble each other far
  // beyond their overlap. The overlap model alone would under-count the design effect.
  constexpr int features = 4;
  int evaluations = 0, overlap_only = 0, measured = 0;
  double design_effect_sum = 0;
  for (std::uint64_t seed = 200; seed < 204; ++seed) {
    NormalSource rng(seed);
    const Reference reference =
        make_reference(overlapping_clips(rng, 700, features, 1.0), features);
    for (int e = 0; e < 50; ++e) {
      const CurrentSample current =
          make_current(reference, overlapping_clips(rng, 100, features, 1.0));
      const Evaluation evaluation = evaluate_ok(reference, current);
      ++evaluations;
      measured += any_significant(evaluation);
      design_effect_sum += current.counts.feature(0).design_effect()->value;
      const double alpha = per_test_alpha(0.01, features);
      for (std::size_t f = 0; f < reference.features.size(); ++f) {
        const auto& ref = reference.counts;
        const auto& cur = current.counts;
        const SampleSizes overlap{ref.windows() / ref.overlap_design_effect(),
                                  cur.windows() / cur.overlap_design_effect()};
        if (score_histograms(ref.feature(f).counts(), cur.feature(f).counts(), overlap, 9, alpha,
                             {})
                .significant) {
          ++overlap_only;
          break;
        }
      }
    }
  }
  MESSAGE("clip effect: " << evaluations << " evaluations, significant with the overlap model "
                          << overlap_only << ", with the measured design effect " << measured
                          << "; mean design effect " << design_effect_sum / evaluations);
  CHECK(overlap_only >= 10);
  CHECK(measured <= 6);
}

TEST_CASE("real shifts reach alarm and small ones are significant below the PSI floor") {
  constexpr int features = 14;
  NormalSource rng(7);
  const Reference reference = make_reference(iid_clips(rng, 4000, features), features);
  // Half a standard deviation and more on the first 3 features, at the smallest sample.
  for (const auto& [m, mean, scale] : std::vector<std::tuple<int, double, double>>{
           {200, 0.6, 1.0}, {2000, 0.6, 1.0}, {200, 0.0, 2.0}, {2000, 0.0, 0.5}}) {
    CAPTURE(m);
    CAPTURE(mean);
    CAPTURE(scale);
    const auto current = make_current(reference, iid_clips(rng, m, features, mean, scale, 3));
    const Evaluation evaluation = evaluate_ok(reference, current);
    CHECK(evaluation.status == DriftStatus::alarm);
    for (int f = 0; f < 3; ++f) CHECK(evaluation.features[f].score.status == DriftStatus::alarm);
    for (int f = 3; f < features; ++f)
      CHECK(evaluation.features[f].score.status == DriftStatus::ok);
  }
  // A 0.3 sd shift has a population PSI of 0.086 with deciles: detected (significant) at
  // M = 2000, but below psi_warn, so ok at the defaults; alarm once the floors are lowered.
  const auto current = make_current(reference, iid_clips(rng, 2000, features, 0.3, 1.0, 3));
  const Evaluation evaluation = evaluate_ok(reference, current);
  MESSAGE("0.3 sd shift, M = 2000: PSI " << evaluation.features[0].score.scores->psi << ", "
                                         << evaluation.features[1].score.scores->psi << ", "
                                         << evaluation.features[2].score.scores->psi);
  for (int f = 0; f < 3; ++f) {
    CHECK(evaluation.features[f].score.significant);
    CHECK(evaluation.features[f].score.scores->psi < 0.25);
  }
  CHECK(evaluation.status != DriftStatus::alarm);
  Thresholds low_floors;
  low_floors.psi_warn = 0.02;
  low_floors.psi_alarm = 0.05;
  CHECK(evaluate_ok(reference, current, low_floors).status == DriftStatus::alarm);
}
