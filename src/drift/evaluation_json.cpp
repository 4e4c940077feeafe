// The JSON form of an evaluation (SPEC §4 shape plus the documented extra keys).

#include "driftd/drift/evaluation.hpp"

#include <cmath>

namespace driftd::drift {
namespace {

using nlohmann::json;

json number(double value) {
  return std::isfinite(value) ? json(value) : json(nullptr);
}

json optional_number(const std::optional<double>& value) {
  return value ? number(*value) : json(nullptr);
}

// The keys shared by a feature and the label-mix test.
void put_histogram_test(json& out, const HistogramScore& score) {
  out["psi"] = score.scores ? number(score.scores->psi) : json(nullptr);
  out["kl"] = score.scores ? number(score.scores->kl) : json(nullptr);
  out["js"] = score.scores ? number(score.scores->js) : json(nullptr);
  out["status"] = to_string(score.status);
  out["p_value"] = score.scores ? number(score.p_value) : json(nullptr);
  out["pearson"] = score.scores ? number(score.pearson) : json(nullptr);
  out["critical_psi"] = number(score.critical_psi);
  out["significant"] = score.significant;
  out["degrees_of_freedom"] = score.degrees_of_freedom;
  out["reference_effective"] = number(score.effective.reference);
  out["current_effective"] = number(score.effective.current);
}

json feature_json(const FeatureScore& feature) {
  json out = json::object();
  out["name"] = feature.name;
  put_histogram_test(out, feature.score);
  return out;
}

json predictions_json(const PredictionScores& predictions) {
  json out = json::object();
  out["label_psi"] = predictions.labels && predictions.labels->scores
                         ? number(predictions.labels->scores->psi)
                         : json(nullptr);
  out["mean_confidence"] = optional_number(predictions.mean_confidence);
  out["reference_mean_confidence"] = optional_number(predictions.reference_mean_confidence);
  out["status"] = to_string(predictions.status);
  out["results"] = predictions.results;
  out["reference_results"] = predictions.reference_results;
  if (predictions.labels) {
    json labels = json::object();
    put_histogram_test(labels, *predictions.labels);
    out["labels"] = std::move(labels);
  } else {
    out["labels"] = nullptr;
  }
  if (predictions.confidence) {
    out["confidence"] = {{"drop", number(predictions.confidence->drop)},
                         {"z", number(predictions.confidence->z)},
                         {"p_value", number(predictions.confidence->p_value)},
                         {"status", to_string(predictions.confidence_status)}};
  } else {
    out["confidence"] = nullptr;
  }
  return out;
}

}  // namespace

json to_json(const Evaluation& evaluation) {
  json out = json::object();
  out["model_version"] = evaluation.model_version;
  out["device_id"] = evaluation.device_id ? json(*evaluation.device_id) : json(nullptr);
  out["evaluated_at"] = util::format_rfc3339(evaluation.evaluated_at);
  out["window"] = {{"from", util::format_rfc3339(evaluation.window_from)},
                   {"to", util::format_rfc3339(evaluation.window_to)}};
  out["reference_windows"] = evaluation.reference_windows;
  out["current_windows"] = evaluation.current_windows;
  out["status"] = to_string(evaluation.status);
  out["significance"] = {
      {"alpha", number(evaluation.alpha)},
      {"tests", evaluation.tests},
      {"per_test_alpha", number(per_test_alpha(evaluation.alpha, evaluation.tests))}};
  json features = json::array();
  for (const auto& feature : evaluation.features) features.push_back(feature_json(feature));
  out["features"] = std::move(features);
  if (evaluation.predictions) out["predictions"] = predictions_json(*evaluation.predictions);
  return out;
}

}  // namespace driftd::drift
