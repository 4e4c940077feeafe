#include <doctest/doctest.h>

#include "driftd/api/result_validation.hpp"

using driftd::api::ApiError;
using driftd::api::parse_json_body;
using driftd::api::parse_results;
using nlohmann::json;

namespace {

constexpr driftd::util::UnixMs k_now = 1795694400000;  // 2026-11-26T12:00:00Z
constexpr std::size_t k_width = 14;

json good() {
  return json{{"device_id", "nursery-04"},
              {"model_version", "12"},
              {"timestamp", "2026-11-26T11:00:00Z"},
              {"label", "crying"},
              {"confidence", 0.93},
              {"scores", {{"crying", 0.93}, {"sleeping", 0.07}}},
              {"result_id", "r-1"}};
}

// Runs the validator and returns the error it throws (or fails the test).
ApiError rejection(const json& body) {
  try {
    (void)parse_results(body, k_now, k_width);
  } catch (const ApiError& e) {
    return e;
  }
  FAIL("the body was accepted: " << body.dump());
  return ApiError(0, "", "");
}

}  // namespace

TEST_CASE("a complete result is accepted with every field kept") {
  auto rs = parse_results(good(), k_now, k_width);
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].device_id == "nursery-04");
  CHECK(rs[0].model_version == "12");
  CHECK(rs[0].timestamp == k_now - 3'600'000);
  CHECK(rs[0].label == "crying");
  CHECK(rs[0].confidence == doctest::Approx(0.93));
  CHECK(rs[0].scores.at("sleeping") == doctest::Approx(0.07));
  CHECK(rs[0].result_id == "r-1");
}

TEST_CASE("a missing timestamp defaults to receipt time and Unix milliseconds are accepted") {
  auto body = good();
  body.erase("timestamp");
  CHECK(parse_results(body, k_now, k_width)[0].timestamp == k_now);
  body["timestamp"] = k_now - 5000;
  CHECK(parse_results(body, k_now, k_width)[0].timestamp == k_now - 5000);
}

TEST_CASE("every field rule refuses with its own code and field") {
  struct Case {
    const char* field;
    json value;
    const char* code;
  };
  const Case cases[] = {
      {"device_id", "", "invalid_device_id"},
      {"device_id", std::string(65, 'a'), "invalid_device_id"},
      {"device_id", "dev/../etc", "invalid_device_id"},
      {"device_id", "dev' OR 1=1 --", "invalid_device_id"},
      {"device_id", 7, "invalid_type"},
      {"model_version", "v 1", "invalid_model_version"},
      {"label", "", "invalid_length"},
      {"label", std::string(129, 'x'), "invalid_length"},
      {"label", "a\nb", "invalid_characters"},
      {"confidence", 1.5, "out_of_range"},
      {"confidence", -0.1, "out_of_range"},
      {"confidence", "0.9", "invalid_type"},
      {"timestamp", "yesterday", "invalid_timestamp"},
      {"timestamp", 1795694400, "invalid_timestamp"},  // seconds, not milliseconds
      {"timestamp", "1999-12-31T23:59:59Z", "invalid_timestamp"},
      {"timestamp", "2026-11-28T12:00:00Z", "invalid_timestamp"},  // two days ahead
      {"timestamp", true, "invalid_timestamp"},
      {"scores", json::array({0.5}), "invalid_scores"},
      {"scores", json{{"crying", 2.0}}, "out_of_range"},
      {"result_id", "", "invalid_length"},
      {"features", json::array(), "invalid_features"},
      {"features", json::array({json::array({1, 2})}), "invalid_features"},
      {"bogus", 1, "unknown_field"},
  };
  for (const auto& c : cases) {
    auto body = good();
    body[c.field] = c.value;
    auto e = rejection(body);
    CHECK_MESSAGE(e.status() == 400, c.field << " " << c.value.dump());
    CHECK_MESSAGE(e.code() == c.code, c.field << " " << c.value.dump() << " gave " << e.code());
    CHECK(e.field() == c.field);
  }
}

TEST_CASE("required fields are named when missing") {
  for (const char* field : {"device_id", "model_version", "label", "confidence"}) {
    auto body = good();
    body.erase(field);
    auto e = rejection(body);
    CHECK(e.code() == "missing_field");
    CHECK(e.field() == field);
  }
}

TEST_CASE("a batch reports the index of its first bad element") {
  json batch = {{"results", json::array({good(), good(), good()})}};
  batch["results"][2]["confidence"] = 3;
  auto e = rejection(batch);
  CHECK(e.index() == std::optional<std::size_t>(2));
  CHECK(e.field() == "confidence");
  CHECK(std::string(e.what()).find("results[2].confidence") != std::string::npos);
}

TEST_CASE("batches must hold between 1 and 1000 results") {
  CHECK(rejection(json{{"results", json::array()}}).code() == "empty_batch");
  json big = {{"results", json::array()}};
  for (int i = 0; i < 1001; ++i) big["results"].push_back(good());
  auto e = rejection(big);
  CHECK(e.status() == 413);
  CHECK(e.code() == "batch_too_large");
  big["results"].erase(big["results"].begin());
  CHECK(parse_results(big, k_now, k_width).size() == 1000);
}

TEST_CASE("device-computed features are kept when they have the configured width") {
  auto body = good();
  body["features"] = json::array({json(std::vector<double>(k_width, 1.5))});
  auto rs = parse_results(body, k_now, k_width);
  REQUIRE(rs[0].feature_windows.size() == 1);
  CHECK(rs[0].feature_windows[0].size() == k_width);
}

TEST_CASE("malformed JSON, deep nesting and invalid UTF-8 are refused as malformed_json") {
  for (std::string body :
       {std::string("{"), std::string("{\"a\":NaN}"), std::string("{\"a\":Infinity}"),
        std::string("\"\xff\xfe\""), std::string(100, '[') + std::string(100, ']')}) {
    try {
      (void)parse_json_body(body);
      FAIL("accepted: " << body);
    } catch (const ApiError& e) {
      CHECK(e.status() == 400);
      CHECK(e.code() == "malformed_json");
    }
  }
  CHECK(parse_json_body("{\"a\": [1, 2]}")["a"][1] == 2);
}
