#pragma once
// One drift evaluation: a reference and a current sample in, every feature's scores and
// statuses and the overall status out, in the shape of GET /api/v1/drift (SPEC §4).
// Pure: no clock (times are arguments), no storage.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "driftd/drift/reference.hpp"
#include "driftd/drift/sample_counts.hpp"
#include "driftd/drift/scoring.hpp"
#include "driftd/drift/status.hpp"
#include "driftd/drift/thresholds.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::drift {

// The current data of an evaluation: its windows binned with the reference's edges and,
// unless the caller scores features only (`driftd compare`), its prediction statistics.
struct CurrentSample {
  SampleCounts counts;
  std::optional<PredictionSample> predictions;
};

// What the evaluation is about and when; copied into the result.
struct EvaluationContext {
  std::string model_version;
  std::optional<std::string> device_id;  // nothing: fleet-wide
  util::UnixMs evaluated_at = 0;
  util::UnixMs window_from = 0;
  util::UnixMs window_to = 0;
};

struct FeatureScore {
  std::string name;
  HistogramScore score;
};

// The prediction tests: the predicted-label mix (PSI over the union of labels) and the mean
// confidence (one-sided: only a drop counts).
struct PredictionScores {
  std::optional<HistogramScore> labels;             // nothing when either side has no labels
  std::optional<double> mean_confidence;            // current; nothing without results
  std::optional<double> reference_mean_confidence;  // nothing without reference results
  std::optional<MeanDropTest> confidence;           // nothing when not testable
  DriftStatus confidence_status = DriftStatus::ok;
  std::uint64_t results = 0;             // current results counted in the label mix
  std::uint64_t reference_results = 0;   // reference results counted in the label mix
  DriftStatus status = DriftStatus::ok;  // the worse of the label and confidence statuses
};

struct Evaluation {
  std::string model_version;
  std::optional<std::string> device_id;
  util::UnixMs evaluated_at = 0;
  util::UnixMs window_from = 0;
  util::UnixMs window_to = 0;
  std::int64_t reference_windows = 0;
  std::int64_t current_windows = 0;
  DriftStatus status = DriftStatus::no_reference;
  double alpha = 0;                    // family-wise level
  int tests = 0;                       // m, the Bonferroni divisor: features + prediction tests run
  std::vector<FeatureScore> features;  // in reference order
  std::optional<PredictionScores> predictions;  // nothing when not asked for
};

// Scores every feature and the predictions. The overall status is the worst feature or
// prediction status, or insufficient_data (then also every feature's and prediction's
// status) when the current sample has fewer than thresholds.min_windows windows. Refuses
// ("sample_mismatch") a current sample not shaped like the reference's.
Result<Evaluation> evaluate(const Reference& reference, const CurrentSample& current,
                            const Thresholds& thresholds, const EvaluationContext& context);

// The evaluation of a model version without a reference: status no_reference, no features,
// and, when `predictions` are given, their untested summary (current mean confidence and
// result count) with status no_reference.
Evaluation evaluate_without_reference(const EvaluationContext& context,
                                      std::int64_t current_windows,
                                      const std::optional<PredictionSample>& predictions);

// The GET /api/v1/drift JSON (SPEC §4) with extra keys documented in docs/drift.md; times
// in RFC 3339, non-finite numbers as null, `predictions` left out when absent.
nlohmann::json to_json(const Evaluation& evaluation);

}  // namespace driftd::drift
