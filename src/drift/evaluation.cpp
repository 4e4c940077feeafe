// Evaluating a current sample against a reference: Bonferroni over the tests run, each
// feature scored with its own effective sizes, prediction tests, and the overall status.

#include "driftd/drift/evaluation.hpp"

#include <algorithm>

#include "driftd/stats/bin_edges.hpp"
#include "driftd/stats/categorical.hpp"

namespace driftd::drift {
namespace {

// Whether the label-mix and confidence tests can run, which sets the Bonferroni divisor.
struct PredictionPlan {
  bool labels = false;
  bool confidence = false;
};

PredictionPlan plan_predictions(const PredictionSample& reference,
                                const std::optional<PredictionSample>& current) {
  PredictionPlan plan;
  if (!current) return plan;
  plan.labels = stats::total(reference.labels) > 0 && stats::total(current->labels) > 0;
  plan.confidence = reference.confidence.count >= 2 && current->confidence.count >= 2;
  return plan;
}

double units(std::uint64_t count, double results_per_unit) {
  return results_per_unit > 0 ? static_cast<double>(count) / results_per_unit : 0.0;
}

PredictionScores score_predictions(const PredictionSample& reference,
                                   const PredictionSample& current, PredictionPlan plan,
                                   double alpha_per_test, const Thresholds& thresholds) {
  PredictionScores scores;
  scores.results = stats::total(current.labels);
  scores.reference_results = stats::total(reference.labels);
  if (current.confidence.count > 0) scores.mean_confidence = current.confidence.mean();
  if (reference.confidence.count > 0) {
    scores.reference_mean_confidence = reference.confidence.mean();
  }
  if (plan.labels) {
    const stats::AlignedLabels aligned = stats::align_labels(reference.labels, current.labels);
    const SampleSizes effective{units(scores.reference_results, reference.results_per_unit),
                                units(scores.results, current.results_per_unit)};
    const int df = static_cast<int>(aligned.labels.size()) - 1;
    scores.labels = score_histograms(aligned.reference, aligned.current, effective, df,
                                     alpha_per_test, thresholds);
  }
  if (plan.confidence) {
    scores.confidence = mean_drop_test(
        reference.confidence, units(reference.confidence.count, reference.results_per_unit),
        current.confidence, units(current.confidence.count, current.results_per_unit));
  }
  if (scores.confidence) {
    const bool significant = scores.confidence->p_value <= alpha_per_test;
    scores.confidence_status =
        grade(scores.confidence->drop, significant, thresholds.confidence_drop_warn,
              thresholds.confidence_drop_alarm, thresholds);
  }
  scores.status =
      worse(scores.labels ? scores.labels->status : DriftStatus::ok, scores.confidence_status);
  return scores;
}

void mark_insufficient(Evaluation& evaluation) {
  evaluation.status = DriftStatus::insufficient_data;
  for (auto& feature : evaluation.features) feature.score.status = DriftStatus::insufficient_data;
  if (evaluation.predictions) {
    auto& predictions = *evaluation.predictions;
    if (predictions.labels) predictions.labels->status = DriftStatus::insufficient_data;
    predictions.confidence_status = DriftStatus::insufficient_data;
    predictions.status = DriftStatus::insufficient_data;
  }
}

Evaluation from_context(const EvaluationContext& context) {
  Evaluation evaluation;
  evaluation.model_version = context.model_version;
  evaluation.device_id = context.device_id;
  evaluation.evaluated_at = context.evaluated_at;
  evaluation.window_from = context.window_from;
  evaluation.window_to = context.window_to;
  return evaluation;
}

}  // namespace

Result<Evaluation> evaluate(const Reference& reference, const CurrentSample& current,
                            const Thresholds& thresholds, const EvaluationContext& context) {
  const SampleCounts& ref = reference.counts;
  const SampleCounts& cur = current.counts;
  if (cur.features() != ref.features() || cur.bins() != ref.bins() ||
      ref.features() != reference.features.size()) {
    return make_error("sample_mismatch", "the current sample is not binned like the reference");
  }
  const PredictionPlan plan = plan_predictions(reference.predictions, current.predictions);
  Evaluation evaluation = from_context(context);
  evaluation.reference_windows = ref.windows();
  evaluation.current_windows = cur.windows();
  evaluation.alpha = thresholds.alpha;
  evaluation.tests =
      static_cast<int>(ref.features()) + (plan.labels ? 1 : 0) + (plan.confidence ? 1 : 0);
  const double alpha_per_test = per_test_alpha(thresholds.alpha, evaluation.tests);

  DriftStatus status = DriftStatus::ok;
  for (std::size_t f = 0; f < ref.features(); ++f) {
    const SampleSizes effective{ref.effective_windows(f), cur.effective_windows(f)};
    const int df = static_cast<int>(stats::distinct_bins(reference.features[f].edges)) - 1;
    FeatureScore feature{reference.features[f].name,
                         score_histograms(ref.feature(f).counts(), cur.feature(f).counts(),
                                          effective, df, alpha_per_test, thresholds)};
    status = worse(status, feature.score.status);
    evaluation.features.push_back(std::move(feature));
  }
  if (current.predictions) {
    evaluation.predictions = score_predictions(reference.predictions, *current.predictions, plan,
                                               alpha_per_test, thresholds);
    status = worse(status, evaluation.predictions->status);
  }
  evaluation.status = status;
  if (cur.windows() < thresholds.min_windows) mark_insufficient(evaluation);
  return evaluation;
}

Evaluation evaluate_without_reference(const EvaluationContext& context,
                                      std::int64_t current_windows,
                                      const std::optional<PredictionSample>& predictions) {
  Evaluation evaluation = from_context(context);
  evaluation.current_windows = current_windows;
  evaluation.status = DriftStatus::no_reference;
  if (predictions) {
    PredictionScores scores;
    scores.results = stats::total(predictions->labels);
    if (predictions->confidence.count > 0) scores.mean_confidence = predictions->confidence.mean();
    scores.confidence_status = DriftStatus::no_reference;
    scores.status = DriftStatus::no_reference;
    evaluation.predictions = scores;
  }
  return evaluation;
}

}  // namespace driftd::drift
