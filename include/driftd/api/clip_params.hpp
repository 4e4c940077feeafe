#pragma once
// The query string of a clip upload (POST /api/v1/clips, SPEC §4), validated as a pure
// function with the same field checks as results (field_validation.hpp).

#include <map>
#include <optional>
#include <string>

#include "driftd/util/time.hpp"

namespace driftd::api {

struct ClipParams {
  std::string device_id;                 // required
  std::string model_version;             // required
  util::UnixMs timestamp = 0;            // the device's time, or receipt time when absent
  std::optional<std::string> label;      // 1-128 characters
  std::optional<double> confidence;      // in [0, 1]
  std::optional<std::string> result_id;  // 1-128 characters
};

// Validates the query parameters of a clip upload; `received_at` fills a missing
// timestamp. Throws ApiError 400 naming the `field` of the first problem: a missing
// required parameter (missing_parameter), one given twice (invalid_query), one driftd does
// not know (unknown_parameter), or a value refused as it would be in a result.
ClipParams parse_clip_params(const std::multimap<std::string, std::string>& query,
                             util::UnixMs received_at);

}  // namespace driftd::api
