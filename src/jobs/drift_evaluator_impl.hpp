#pragma once
// The state DriftEvaluator's two source files share (private to src/jobs).

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "driftd/drift/thresholds.hpp"
#include "driftd/jobs/drift_evaluator.hpp"
#include "driftd/jobs/drift_report.hpp"
#include "driftd/store/references.hpp"

namespace driftd::jobs {

// What the bodies of one model version's evaluations share.
struct VersionContext {
  std::optional<ReferenceSummary> reference;
  std::optional<std::pair<util::UnixMs, util::UnixMs>> prediction_period;
};

// A device's latest evaluation, kept in memory for GET /api/v1/drift?device_id=.
struct DeviceLatest {
  drift::Evaluation evaluation;
  std::optional<drift::Scope> scope;
  std::shared_ptr<const VersionContext> context;
};

using DeviceKey = std::pair<std::string, std::string>;  // (model version, device id)

struct DriftEvaluator::Impl {
  Impl(store::Store& s, const config::Config& c, util::DriftdMetrics m);

  store::Store& store;
  const config::Config& config;
  util::DriftdMetrics metrics;
  drift::Thresholds thresholds;
  std::int64_t bucket_ms = 0;
  std::size_t width = 0;  // features per window the config produces

  std::mutex mutex;  // serialises passes and answers
  std::map<std::int64_t, std::shared_ptr<const store::StoredReference>> references;
  std::map<DeviceKey, DeviceLatest> latest_devices;
  std::map<DeviceKey, std::pair<drift::DriftStatus, util::UnixMs>> device_stored;
  std::optional<util::UnixMs> last_retention;

  // drift_version.cpp
  Result<VersionEvaluation> evaluate_locked(const std::string& model_version, util::UnixMs now,
                                            const VersionOptions& options);
  Result<std::shared_ptr<const store::StoredReference>> reference(std::int64_t id);
  nlohmann::json device_body(const DeviceLatest& latest) const;
  // The body of a device's latest evaluation kept in memory, if any.
  std::optional<nlohmann::json> cached_device(const std::string& model_version,
                                              const std::string& device_id) const;
  ReportExtras extras(const VersionContext& context) const;

  // drift_evaluator.cpp
  Result<std::map<std::string, VersionEvaluation>> pass_locked(util::UnixMs now,
                                                               DriftPassReport& report);
  void apply_retention(util::UnixMs now);
  void supersede_older(util::UnixMs now);
};

// The error code of an evaluation deferred while its re-binning runs.
inline constexpr const char* k_error_rebinning = "rebinning";

}  // namespace driftd::jobs
