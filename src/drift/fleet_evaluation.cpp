// The fleet and per-device evaluations of one model version and window.

#include "driftd/drift/fleet_evaluation.hpp"

#include <utility>

namespace driftd::drift {
namespace {

struct Totals {
  SampleCounts counts;
  std::int64_t windows = 0;
  LabelClusters labels;
  stats::Moments confidence;
};

Result<Evaluation> evaluate_one(const Reference* reference, const SampleCounts& counts,
                                std::int64_t windows, const PredictionSample& predictions,
                                const Thresholds& thresholds, const EvaluationContext& context) {
  if (reference == nullptr) return evaluate_without_reference(context, windows, predictions);
  CurrentSample current{counts.features() == 0 ? empty_sample(*reference) : counts, predictions};
  return evaluate(*reference, current, thresholds, context);
}

}  // namespace

PredictionSample prediction_sample(const LabelClusters& labels, const stats::Moments& confidence) {
  PredictionSample sample;
  sample.labels = labels.labels();
  sample.confidence = confidence;
  sample.results_per_unit = labels.results_per_unit();
  return sample;
}

Result<FleetEvaluation> evaluate_fleet(const Reference* reference,
                                       std::span<const DeviceSample> devices,
                                       const Thresholds& thresholds,
                                       const EvaluationContext& context) {
  Totals fleet;
  for (const auto& device : devices) {
    if (Status merged = fleet.counts.merge(device.counts); !merged) return merged.error();
    fleet.windows += device.windows;
    fleet.labels.merge(device.labels);
    fleet.confidence += device.confidence;
  }
  FleetEvaluation out;
  EvaluationContext fleet_context = context;
  fleet_context.device_id.reset();
  auto fleet_evaluation =
      evaluate_one(reference, fleet.counts, fleet.windows,
                   prediction_sample(fleet.labels, fleet.confidence), thresholds, fleet_context);
  if (!fleet_evaluation) return fleet_evaluation.error();
  out.fleet = std::move(fleet_evaluation).value();
  out.devices.reserve(devices.size());
  for (const auto& device : devices) {
    EvaluationContext device_context = context;
    device_context.device_id = device.device_id;
    auto evaluation = evaluate_one(reference, device.counts, device.windows,
                                   prediction_sample(device.labels, device.confidence), thresholds,
                                   device_context);
    if (!evaluation) return evaluation.error();
    out.devices.push_back(std::move(evaluation).value());
  }
  out.attribution = attribute(out.fleet, out.devices);
  return out;
}

}  // namespace driftd::drift
