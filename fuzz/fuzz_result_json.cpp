// libFuzzer target: arbitrary bytes as the body of POST /api/v1/results. parse_json_body()
// and parse_results() promise to refuse bad input only by throwing ApiError (400, or 413
// for an oversized batch) with a code and a message; any other exception, a crash, or an
// accepted record that breaks the SPEC §4 field rules is a finding and aborts.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "driftd/api/api_error.hpp"
#include "driftd/api/result_validation.hpp"

namespace {

using namespace driftd;

constexpr util::UnixMs k_received_at = 1'795'000'000'000;  // a fixed "now" (2026)
constexpr std::size_t k_feature_width = 14;                // 13 cepstral + rms_dbfs

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_result_json: broken promise: %s\n", what);
  std::abort();
}

bool is_identifier(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (const char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool in_unit_range(double v) {
  return std::isfinite(v) && v >= 0.0 && v <= 1.0;
}

void check_record(const api::ResultRecord& r) {
  require(is_identifier(r.device_id), "device_id is 1-64 chars of [A-Za-z0-9._:-]");
  require(is_identifier(r.model_version), "model_version is 1-64 chars of [A-Za-z0-9._:-]");
  require(!r.label.empty(), "label is not empty");
  require(in_unit_range(r.confidence), "confidence is finite in [0, 1]");
  for (const auto& [label, score] : r.scores) {
    require(!label.empty(), "score labels are not empty");
    require(in_unit_range(score), "scores are finite in [0, 1]");
  }
  require(!r.result_id || !r.result_id->empty(), "a result_id is not empty");
  require(r.feature_windows.size() <= api::k_max_feature_windows, "feature windows are capped");
  for (const auto& window : r.feature_windows) {
    require(window.size() == k_feature_width, "feature windows have the configured width");
    for (const double v : window) require(std::isfinite(v), "features are finite");
  }
}

void check_refusal(const api::ApiError& e) {
  require(e.status() == 400 || e.status() == 413, "refusals are 400 or 413");
  require(!e.code().empty() && !std::string(e.what()).empty(), "refusals have code and message");
  // The error body must serialise as the server does it (Reply::json).
  (void)e.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  nlohmann::json parsed;
  try {
    parsed = api::parse_json_body(body);
  } catch (const api::ApiError& e) {
    check_refusal(e);
    require(e.status() == 400 && e.code() == "malformed_json", "bad JSON is malformed_json");
    return 0;
  }
  try {
    const auto records = api::parse_results(parsed, k_received_at, k_feature_width);
    require(!records.empty() && records.size() <= api::k_max_batch_results,
            "a batch holds 1 to 1000 results");
    for (const auto& r : records) check_record(r);
  } catch (const api::ApiError& e) {
    check_refusal(e);
  }
  return 0;
}
