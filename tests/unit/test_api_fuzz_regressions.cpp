// Inputs found by the libFuzzer targets (fuzz/, scripts/fuzz.sh), kept byte for byte so
// that the fix stays fixed. Each copy also lives in the target's seed corpus.
#include <doctest/doctest.h>

#include <string>

#include "driftd/api/result_validation.hpp"

using driftd::api::ApiError;
using driftd::api::parse_json_body;

namespace {

// Runs parse_json_body and returns what it throws; fails when it accepts the body or
// throws anything but ApiError.
ApiError json_refusal(const std::string& body) {
  try {
    (void)parse_json_body(body);
  } catch (const ApiError& e) {
    return e;
  }
  FAIL("the body was accepted");
  return ApiError(0, "", "");
}

}  // namespace

TEST_CASE("a number too large for a double is malformed JSON, not a server error") {
  // fuzz_result_json, crash-94f70c56: nlohmann/json reports the overflow of 17E5000000000
  // as out_of_range.406, which escaped parse_json_body and became a 500.
  const std::string found =
      "{\"results\": [{\"device_id\": \"a.b:c-d_e\", \"mo_dlev"
      "e\": 0, \"timestam"
      "p\": 17E5000000000}, {\"device_id\": \"a\", \": 0," +
      std::string(72, '*') +
      " \"timestamp\": 1795000000000}, {\"device_id\":ll, \"result_id\": null}]}\n";
  const ApiError e = json_refusal(found);
  CHECK(e.status() == 400);
  CHECK(e.code() == "malformed_json");
  CHECK(std::string(e.what()).find("number overflow") != std::string::npos);
}

TEST_CASE("an overflowing number anywhere in a body is refused as malformed JSON") {
  for (const char* body : {"1e400", "-1e400", "[1e309]", "{\"confidence\": 1E99999}"}) {
    CAPTURE(body);
    CHECK(json_refusal(body).code() == "malformed_json");
  }
}

TEST_CASE("the parser's complaint is cut short so a huge token is not echoed back") {
  const std::string body = "[1e" + std::string(100'000, '9') + "]";
  const ApiError e = json_refusal(body);
  CHECK(e.code() == "malformed_json");
  CHECK(std::string(e.what()).size() < 400);
}
