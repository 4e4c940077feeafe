#pragma once
// One model version's evaluation at one time, fleet-wide and per device, from the
// per-device totals of the window's buckets: the devices' samples merge into the fleet's,
// every sample is evaluated against the same reference, and the fleet's drift is attributed
// (attribution.hpp). Pure: values in, values out.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "driftd/drift/attribution.hpp"
#include "driftd/drift/evaluation.hpp"
#include "driftd/drift/prediction_units.hpp"
#include "driftd/drift/reference.hpp"
#include "driftd/drift/sample_counts.hpp"
#include "driftd/drift/thresholds.hpp"
#include "driftd/stats/moments.hpp"
#include "driftd/util/result.hpp"

namespace driftd::drift {

// One device's data in the window.
struct DeviceSample {
  std::string device_id;
  SampleCounts counts;        // binned with the reference (empty without one)
  std::int64_t windows = 0;   // windows in the window, binned or not
  LabelClusters labels;       // its results' labels, one cluster per bucket
  stats::Moments confidence;  // its results' confidences
};

// The prediction sample of a device's (or the fleet's) results: label counts, confidence
// moments and the measured results per independent unit.
PredictionSample prediction_sample(const LabelClusters& labels, const stats::Moments& confidence);

struct FleetEvaluation {
  Evaluation fleet;
  std::vector<Evaluation> devices;  // in input order
  Attribution attribution;
};

// Evaluates the fleet (every device merged) and each device at `context` (its device_id is
// ignored). With a reference, features are scored against it and predictions against
// `reference.predictions` (tests skipped while it is empty); without one every evaluation
// is no_reference. Refuses ("sample_mismatch") device samples not binned like the
// reference.
Result<FleetEvaluation> evaluate_fleet(const Reference* reference,
                                       std::span<const DeviceSample> devices,
                                       const Thresholds& thresholds,
                                       const EvaluationContext& context);

}  // namespace driftd::drift
