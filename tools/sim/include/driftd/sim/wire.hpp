#pragma once
// What a simulated device sends to driftd (SPEC §4), built from readings: the JSON body of
// POST /api/v1/results and the query of POST /api/v1/clips. Pure; the program sends them.

#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "driftd/sim/fleet.hpp"

namespace driftd::sim {

// One result object: device_id, model_version, timestamp (RFC 3339, UTC), label,
// confidence, scores over both classes (summing to 1) and result_id.
nlohmann::json result_json(const Reading& reading);

// The body of POST /api/v1/results: the lone object for one reading, else
// {"results": [...]}. `readings` must not be empty and should hold at most 1000.
std::string results_body(std::span<const Reading> readings);

// The query parameters of POST /api/v1/clips for the clip of `reading`: device_id,
// model_version, label, confidence, timestamp and result_id (not yet encoded).
std::vector<std::pair<std::string, std::string>> clip_query(const Reading& reading);

}  // namespace driftd::sim
