#include <doctest/doctest.h>

#include <vector>

#include "driftd/drift/evaluation.hpp"
#include "support/drift_fixtures.hpp"

using namespace driftd::drift;
using driftd::test::NormalSource;

namespace {

constexpr WindowGeometry k_geometry{1000, 300};

std::vector<ClipFeatures> normal_clips(NormalSource& rng, int clips, double shift = 0) {
  std::vector<ClipFeatures> out;
  for (int c = 0; c < clips; ++c) {
    out.push_back(ClipFeatures{{rng.next() + shift, rng.next(), -30 + 5 * rng.next()}});
  }
  return out;
}

Reference test_reference() {
  NormalSource rng(42);
  const std::vector<std::string> names{"mfcc_0", "mfcc_1", "rms_dbfs"};
  auto reference = build_reference(names, normal_clips(rng, 2000), 10, k_geometry);
  REQUIRE(reference.ok());
  for (int i = 0; i < 900; ++i) reference->predictions.confidence.add(i % 2 ? 0.9 : 1.0);
  reference->predictions.labels = {{"crying", 300}, {"sleeping", 600}};
  return std::move(reference.value());
}

PredictionSample predictions(std::uint64_t crying, std::uint64_t sleeping, double low,
                             double high) {
  PredictionSample sample;
  sample.labels = {{"crying", crying}, {"sleeping", sleeping}};
  for (std::uint64_t i = 0; i < crying + sleeping; ++i) sample.confidence.add(i % 2 ? low : high);
  return sample;
}

CurrentSample current_sample(const Reference& reference, int clips, double shift,
                             std::optional<PredictionSample> preds, std::uint64_t seed = 7) {
  NormalSource rng(seed);
  CurrentSample current{empty_sample(reference), std::move(preds)};
  for (const auto& clip : normal_clips(rng, clips, shift)) {
    REQUIRE(add_clip(current.counts, reference, clip, k_geometry).ok());
  }
  return current;
}

EvaluationContext context(std::optional<std::string> device = std::nullopt) {
  EvaluationContext ctx;
  ctx.model_version = "12";
  ctx.device_id = std::move(device);
  ctx.evaluated_at = 1795694400000;  // 2026-11-26T12:00:00Z
  ctx.window_from = 1795608000000;   // 24 h earlier
  ctx.window_to = 1795694400000;
  return ctx;
}

}  // namespace

TEST_CASE("an evaluation has the GET /api/v1/drift shape") {
  const Reference reference = test_reference();
  const auto current = current_sample(reference, 400, 0, predictions(100, 200, 0.9, 1.0));
  const auto evaluation = evaluate(reference, current, Thresholds{}, context());
  REQUIRE(evaluation.ok());
  const nlohmann::json json = to_json(*evaluation);
  CHECK(json["model_version"] == "12");
  CHECK(json["device_id"].is_null());
  CHECK(json["evaluated_at"] == "2026-11-26T12:00:00Z");
  CHECK(json["window"]["from"] == "2026-11-25T12:00:00Z");
  CHECK(json["window"]["to"] == "2026-11-26T12:00:00Z");
  CHECK(json["reference_windows"] == 2000);
  CHECK(json["current_windows"] == 400);
  CHECK(json["status"] == "ok");
  REQUIRE(json["features"].size() == 3);
  CHECK(json["features"][0]["name"] == "mfcc_0");
  for (const auto& feature : json["features"]) {
    for (const char* key : {"psi", "kl", "js", "p_value", "pearson", "critical_psi"}) {
      CHECK(feature[key].is_number());
    }
    CHECK(feature["status"] == "ok");
  }
  CHECK(json["predictions"]["label_psi"].is_number());
  CHECK(json["predictions"]["mean_confidence"].get<double>() == doctest::Approx(0.95));
  CHECK(json["predictions"]["reference_mean_confidence"].get<double>() == doctest::Approx(0.95));
  CHECK(json["predictions"]["status"] == "ok");
  CHECK(json["significance"]["tests"] == 5);  // 3 features + label mix + confidence
  CHECK(json["significance"]["alpha"] == 0.001);
}

TEST_CASE("a device evaluation names its device") {
  const Reference reference = test_reference();
  const auto current = current_sample(reference, 300, 0, std::nullopt);
  const auto json = to_json(*evaluate(reference, current, Thresholds{}, context("nursery-04")));
  CHECK(json["device_id"] == "nursery-04");
  CHECK_FALSE(json.contains("predictions"));  // features only, as `driftd compare`
  CHECK(json["significance"]["tests"] == 3);
}

TEST_CASE("a shifted feature alarms and sets the overall status") {
  const Reference reference = test_reference();
  const auto current = current_sample(reference, 400, 1.0, predictions(100, 200, 0.9, 1.0));
  const auto evaluation = evaluate(reference, current, Thresholds{}, context());
  REQUIRE(evaluation.ok());
  CHECK(evaluation->features[0].score.status == DriftStatus::alarm);
  CHECK(evaluation->features[1].score.status == DriftStatus::ok);
  CHECK(evaluation->status == DriftStatus::alarm);
}

TEST_CASE("too few current windows give insufficient_data whatever the scores") {
  const Reference reference = test_reference();
  const auto current = current_sample(reference, 199, 3.0, predictions(10, 10, 0.1, 0.2));
  const auto evaluation = evaluate(reference, current, Thresholds{}, context());
  REQUIRE(evaluation.ok());
  CHECK(evaluation->status == DriftStatus::insufficient_data);
  CHECK(evaluation->features[0].score.scores->psi > 1.0);  // still reported
  CHECK(evaluation->features[0].score.status == DriftStatus::insufficient_data);
  CHECK(evaluation->predictions->status == DriftStatus::insufficient_data);
  const auto json = to_json(*evaluation);
  CHECK(json["status"] == "insufficient_data");
  CHECK(json["features"][0]["status"] == "insufficient_data");
}

TEST_CASE("an empty current sample has null scores") {
  const Reference reference = test_reference();
  const auto current = current_sample(reference, 0, 0, PredictionSample{});
  const auto json = to_json(*evaluate(reference, current, Thresholds{}, context()));
  CHECK(json["status"] == "insufficient_data");
  CHECK(json["current_windows"] == 0);
  CHECK(json["features"][0]["psi"].is_null());
  CHECK(json["predictions"]["label_psi"].is_null());
  CHECK(json["predictions"]["mean_confidence"].is_null());
  CHECK(json["significance"]["tests"] == 3);  // no prediction test could run
}

TEST_CASE("a model version without a reference reports no_reference") {
  const auto evaluation = evaluate_without_reference(context(), 812, predictions(10, 30, 0.5, 0.7));
  CHECK(evaluation.status == DriftStatus::no_reference);
  const auto json = to_json(evaluation);
  CHECK(json["status"] == "no_reference");
  CHECK(json["features"].empty());
  CHECK(json["current_windows"] == 812);
  CHECK(json["reference_windows"] == 0);
  CHECK(json["predictions"]["label_psi"].is_null());
  CHECK(json["predictions"]["mean_confidence"].get<double>() == doctest::Approx(0.6));
  CHECK(json["predictions"]["status"] == "no_reference");
  CHECK_FALSE(
      to_json(evaluate_without_reference(context(), 0, std::nullopt)).contains("predictions"));
}

TEST_CASE("a shift in the predicted-label mix alarms on its own") {
  const Reference reference = test_reference();
  // Reference 1:2 crying:sleeping; current 2:1.
  const auto current = current_sample(reference, 400, 0, predictions(600, 300, 0.9, 1.0));
  const auto evaluation = evaluate(reference, current, Thresholds{}, context());
  REQUIRE(evaluation.ok());
  const auto& labels = evaluation->predictions->labels;
  REQUIRE(labels.has_value());
  CHECK(labels->degrees_of_freedom == 1);
  CHECK(labels->scores->psi > 0.25);
  CHECK(labels->status == DriftStatus::alarm);
  CHECK(evaluation->status == DriftStatus::alarm);
  CHECK(to_json(*evaluation)["predictions"]["labels"]["status"] == "alarm");
}

TEST_CASE("a drop in mean confidence warns or alarms by its size when significant") {
  const Reference reference = test_reference();  // mean 0.95
  struct Case {
    double low, high;
    DriftStatus expected;
  };
  for (const Case& c : {Case{0.83, 0.93, DriftStatus::warn},   // drop 0.07
                        Case{0.75, 0.85, DriftStatus::alarm},  // drop 0.15
                        Case{0.95, 0.99, DriftStatus::ok}}) {  // a rise
    const auto current = current_sample(reference, 400, 0, predictions(300, 600, c.low, c.high));
    const auto evaluation = evaluate(reference, current, Thresholds{}, context());
    REQUIRE(evaluation.ok());
    CHECK(evaluation->predictions->confidence_status == c.expected);
    CHECK(evaluation->status == c.expected);
  }
}

TEST_CASE("a current sample binned differently is refused") {
  const Reference reference = test_reference();
  CurrentSample current{SampleCounts(3, 5), std::nullopt};
  CHECK(evaluate(reference, current, Thresholds{}, context()).error().code == "sample_mismatch");
}

TEST_CASE("thresholds come from the drift section") {
  driftd::config::Drift drift;
  drift.min_windows = 50;
  drift.psi_warn = 0.2;
  drift.psi_alarm = 0.4;
  drift.alpha = 0.05;
  const Thresholds thresholds = thresholds_from(drift);
  CHECK(thresholds.min_windows == 50);
  CHECK(thresholds.psi_warn == 0.2);
  CHECK(thresholds.psi_alarm == 0.4);
  CHECK(thresholds.alpha == 0.05);
  CHECK(thresholds.warn_requires_significance);
}

TEST_CASE("status names round-trip") {
  for (auto status : {DriftStatus::ok, DriftStatus::warn, DriftStatus::alarm,
                      DriftStatus::insufficient_data, DriftStatus::no_reference}) {
    CHECK(parse_status(to_string(status)) == status);
  }
  CHECK_FALSE(parse_status("fine").has_value());
  CHECK(worse(DriftStatus::warn, DriftStatus::alarm) == DriftStatus::alarm);
  CHECK(worse(DriftStatus::insufficient_data, DriftStatus::warn) == DriftStatus::warn);
  CHECK(worse(DriftStatus::ok, DriftStatus::no_reference) == DriftStatus::ok);
}
