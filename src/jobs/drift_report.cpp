// The GET /api/v1/drift body of an evaluation.

#include "driftd/jobs/drift_report.hpp"

#include <algorithm>

namespace driftd::jobs {

namespace {

using nlohmann::json;

json drifted_devices(const drift::Attribution& attribution) {
  // Alarms first, then by the number of drifted tests.
  std::vector<const drift::DeviceAttribution*> order;
  for (const auto& d : attribution.devices) order.push_back(&d);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    const bool a_alarm = a->status == drift::DriftStatus::alarm;
    const bool b_alarm = b->status == drift::DriftStatus::alarm;
    if (a_alarm != b_alarm) return a_alarm;
    return a->drifted.size() > b->drifted.size();
  });
  json list = json::array();
  for (std::size_t i = 0; i < order.size() && i < k_max_listed_devices; ++i) {
    const auto& d = *order[i];
    list.push_back({{"device_id", d.device_id},
                    {"status", drift::to_string(d.status)},
                    {"scope", drift::to_string(d.scope)},
                    {"drifted", d.drifted},
                    {"shared_with_fleet", d.shared_with_fleet}});
  }
  return list;
}

}  // namespace

json drift_report(const drift::Evaluation& evaluation, const ReportExtras& extras) {
  json body = drift::to_json(evaluation);
  body["scope"] = extras.scope ? json(drift::to_string(*extras.scope)) : json(nullptr);
  body["thresholds"] = {{"psi_warn", extras.thresholds.psi_warn},
                        {"psi_alarm", extras.thresholds.psi_alarm},
                        {"min_windows", extras.thresholds.min_windows}};
  if (extras.reference) {
    const auto& r = *extras.reference;
    body["reference"] = {{"id", r.id},           {"model_version", r.model_version},
                         {"source", r.source},   {"created", util::format_rfc3339(r.created)},
                         {"windows", r.windows}, {"fallback", r.fallback}};
  } else {
    body["reference"] = nullptr;
  }
  if (extras.prediction_reference) {
    body["prediction_reference"] = {
        {"from", util::format_rfc3339(extras.prediction_reference->first)},
        {"to", util::format_rfc3339(extras.prediction_reference->second)}};
  } else {
    body["prediction_reference"] = nullptr;
  }
  if (extras.retrain) body["retrain"] = *extras.retrain;
  if (extras.attribution != nullptr) {
    body["drifted_devices"] = drifted_devices(*extras.attribution);
    body["drifted_device_count"] = extras.attribution->devices.size();
  }
  return body;
}

}  // namespace driftd::jobs
