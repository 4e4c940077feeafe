#pragma once
// Validation of classification results posted by devices (SPEC §4), as a pure function:
// a JSON body in, either every result of the batch as a typed record or the first
// problem found (with its field and 0-based batch index). Batches are all-or-nothing.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/api/api_error.hpp"
#include "driftd/api/field_validation.hpp"
#include "driftd/util/time.hpp"

namespace driftd::api {

inline constexpr std::size_t k_max_batch_results = 1000;
inline constexpr int k_max_json_depth = 32;

// One validated result, ready for the store.
struct ResultRecord {
  std::string device_id;
  std::string model_version;
  util::UnixMs timestamp = 0;  // the device's time, or receipt time when absent
  std::string label;
  double confidence = 0;
  std::map<std::string, double> scores;  // may be empty
  std::optional<std::string> result_id;
  // Drift feature vectors the device computed itself (SPEC §6: per window the means of
  // mfcc_raw's coefficients, then rms_dbfs); empty when the result carries none.
  std::vector<std::vector<double>> feature_windows;
};

inline constexpr std::size_t k_max_feature_windows = 256;

// Parses JSON text, refusing invalid UTF-8, nesting deeper than k_max_json_depth and
// non-finite numbers. Throws ApiError 400 (code "malformed_json") with the parser's
// position on failure.
nlohmann::json parse_json_body(std::string_view body);

// Validates one result object or {"results": [...]} (1 to k_max_batch_results).
// `received_at` fills a missing timestamp; `feature_width` is the length every feature
// vector must have (num_cepstral + 1). Throws ApiError (400, or 413 for a batch over the
// limit) naming the field and index of the first problem.
std::vector<ResultRecord> parse_results(const nlohmann::json& body, util::UnixMs received_at,
                                        std::size_t feature_width);

}  // namespace driftd::api
