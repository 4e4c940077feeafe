// The query string of a clip upload: the same field rules as results, and clear refusals.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "driftd/api/api_error.hpp"
#include "driftd/api/clip_params.hpp"

using driftd::api::ApiError;
using driftd::api::ClipParams;
using driftd::api::parse_clip_params;
using Query = std::multimap<std::string, std::string>;

namespace {

constexpr driftd::util::UnixMs k_now = 1'764'158'400'000;  // 2025-11-26T12:00:00Z

// The refusal of `query`: "status code field".
std::string refusal(const Query& query) {
  try {
    parse_clip_params(query, k_now);
  } catch (const ApiError& e) {
    return std::to_string(e.status()) + " " + e.code() + " " + e.field();
  }
  return "accepted";
}

Query base() {
  return {{"device_id", "nursery-04"}, {"model_version", "12"}};
}

Query with(Query q, const std::string& key, const std::string& value) {
  q.emplace(key, value);
  return q;
}

}  // namespace

TEST_CASE("a clip query with only the required parameters defaults the rest") {
  const ClipParams p = parse_clip_params(base(), k_now);
  CHECK(p.device_id == "nursery-04");
  CHECK(p.model_version == "12");
  CHECK(p.timestamp == k_now);
  CHECK_FALSE(p.label.has_value());
  CHECK_FALSE(p.confidence.has_value());
  CHECK_FALSE(p.result_id.has_value());
}

TEST_CASE("every optional clip parameter is read and checked") {
  Query q = base();
  q.emplace("label", "crying baby");
  q.emplace("confidence", "0.93");
  q.emplace("timestamp", "2025-11-26T11:00:00Z");
  q.emplace("result_id", "r-17");
  const ClipParams p = parse_clip_params(q, k_now);
  CHECK(p.label == "crying baby");
  CHECK(p.confidence == 0.93);
  CHECK(p.timestamp == k_now - 3'600'000);
  CHECK(p.result_id == "r-17");
  CHECK(parse_clip_params(with(base(), "timestamp", std::to_string(k_now - 5)), k_now).timestamp ==
        k_now - 5);
}

TEST_CASE("bad clip parameters are 400 naming the field") {
  CHECK(refusal({{"model_version", "12"}}) == "400 missing_parameter device_id");
  CHECK(refusal({{"device_id", "a"}}) == "400 missing_parameter model_version");
  CHECK(refusal(with(base(), "device_id", "b")) == "400 invalid_query device_id");
  CHECK(refusal({{"device_id", "bad id"}, {"model_version", "12"}}) ==
        "400 invalid_device_id device_id");
  CHECK(refusal({{"device_id", "a"}, {"model_version", ""}}) ==
        "400 invalid_model_version model_version");
  CHECK(refusal(with(base(), "lable", "x")) == "400 unknown_parameter lable");
  CHECK(refusal(with(base(), "label", "")) == "400 invalid_length label");
  CHECK(refusal(with(base(), "label", std::string(129, 'x'))) == "400 invalid_length label");
  CHECK(refusal(with(base(), "label", std::string(128, 'x'))) == "accepted");
  CHECK(refusal(with(base(), "label", "tab\there")) == "400 invalid_characters label");
  CHECK(refusal(with(base(), "label", "\xff\xfe")) == "400 invalid_encoding label");
  CHECK(refusal(with(base(), "confidence", "1.5")) == "400 out_of_range confidence");
  CHECK(refusal(with(base(), "confidence", "high")) == "400 invalid_type confidence");
  CHECK(refusal(with(base(), "confidence", "0.5x")) == "400 invalid_type confidence");
  CHECK(refusal(with(base(), "confidence", "nan")) == "400 out_of_range confidence");
  CHECK(refusal(with(base(), "timestamp", "yesterday")) == "400 invalid_timestamp timestamp");
  CHECK(refusal(with(base(), "timestamp", "1764158400")) == "400 invalid_timestamp timestamp");
  CHECK(refusal(with(base(), "timestamp", "99999999999999999999")) ==
        "400 invalid_timestamp timestamp");
  CHECK(refusal(with(base(), "timestamp", std::to_string(k_now + 2 * 86'400'000))) ==
        "400 invalid_timestamp timestamp");
  CHECK(refusal(with(base(), "result_id", "")) == "400 invalid_length result_id");
}
