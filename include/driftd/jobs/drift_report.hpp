#pragma once
// The JSON body of GET /api/v1/drift (SPEC §4) for one stored evaluation: the
// evaluation's own JSON (drift::to_json, docs/drift.md §8) and what the live engine adds —
// `scope` (attribution), `thresholds` (for the dashboard's chart), `reference` (which
// reference was used, `fallback` when another model version's), `prediction_reference`,
// and, fleet-wide, `retrain` when the current episode's trigger was refused and the
// drifted devices. The same body is stored with the evaluation and served by history.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "driftd/drift/attribution.hpp"
#include "driftd/drift/evaluation.hpp"
#include "driftd/drift/thresholds.hpp"
#include "driftd/util/time.hpp"

namespace driftd::jobs {

// The most drifted devices listed with a fleet-wide evaluation.
inline constexpr std::size_t k_max_listed_devices = 20;

// The reference an evaluation was scored against.
struct ReferenceSummary {
  std::int64_t id = 0;
  std::string model_version;
  std::string source;
  util::UnixMs created = 0;
  std::int64_t windows = 0;
  bool fallback = false;  // another model version's reference
};

struct ReportExtras {
  drift::Thresholds thresholds;
  std::optional<ReferenceSummary> reference;
  std::optional<drift::Scope> scope;
  // The period the prediction tests compare against, when frozen.
  std::optional<std::pair<util::UnixMs, util::UnixMs>> prediction_reference;
  // Fleet-wide only: "retrain" ({"blocked_by", "until", "run_id"}) and the attribution.
  std::optional<nlohmann::json> retrain;
  const drift::Attribution* attribution = nullptr;
};

// The body described above.
nlohmann::json drift_report(const drift::Evaluation& evaluation, const ReportExtras& extras);

}  // namespace driftd::jobs
