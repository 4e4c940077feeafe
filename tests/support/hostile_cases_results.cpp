// The hostile-input table, first group: POST /api/v1/results — who asks, the JSON syntax,
// the field types and ranges, and how the body is framed, typed and encoded.

#include <map>

#include "support/hostile_cases.hpp"
#include "support/http_helpers.hpp"

namespace driftd::test {

namespace {

const std::string k_json = "application/json";
const std::string k_sql = "'; DROP TABLE results; --";

// A valid result of nursery-04 with `field` set to the raw JSON text `raw` (or removed
// when `raw` is empty).
std::string result_with(const std::string& field, const std::string& raw) {
  std::map<std::string, std::string> fields = {{"device_id", "\"nursery-04\""},
                                               {"model_version", "\"12\""},
                                               {"label", "\"crying\""},
                                               {"confidence", "0.9"}};
  if (raw.empty()) {
    fields.erase(field);
  } else {
    fields[field] = raw;
  }
  std::string out = "{";
  for (const auto& [k, v] : fields) out += (out.size() > 1 ? ", \"" : "\"") + k + "\": " + v;
  return out + "}";
}

std::string valid_result() {
  return result_with("label", "\"crying\"");
}

std::string batch_of(std::size_t n, const std::string& element) {
  std::string out = "{\"results\": [";
  for (std::size_t i = 0; i < n; ++i) out += (i ? "," : "") + element;
  return out + "]}";
}

HostileCase post_result(std::string name, std::string body, int status, std::string code,
                        Caller caller = Caller::device) {
  return {std::move(name), "POST", "/api/v1/results", caller, {{"Content-Type", k_json}},
          std::move(body), status, std::move(code)};
}

HostileCase raw(std::string name, std::string method, std::string target, Caller caller,
                std::vector<std::pair<std::string, std::string>> headers, std::string body,
                int status, std::string code) {
  HostileCase c{std::move(name), std::move(method),  std::move(target),
                caller,          std::move(headers), std::move(body),
                status,          std::move(code)};
  c.own_framing = true;
  return c;
}

}  // namespace

void add_result_cases(std::vector<HostileCase>& cases) {
  const std::string ok = valid_result();
  // Who asks.
  cases.push_back(post_result("results without a token", ok, 401, "unauthorized", Caller::none));
  cases.push_back(
      post_result("results with a forged token", ok, 401, "unauthorized", Caller::forged));
  cases.push_back(
      post_result("results with a revoked token", ok, 401, "unauthorized", Caller::revoked));
  auto basic = post_result("results with Basic auth", ok, 401, "unauthorized", Caller::none);
  basic.headers.emplace_back("Authorization", "Basic ZHJpZnRkOmRyaWZ0ZA==");
  cases.push_back(basic);
  auto empty_bearer =
      post_result("results with an empty bearer", ok, 401, "unauthorized", Caller::none);
  empty_bearer.headers.emplace_back("Authorization", "Bearer ");
  cases.push_back(empty_bearer);
  auto sql_token =
      post_result("results with SQL as the token", ok, 401, "unauthorized", Caller::none);
  sql_token.headers.emplace_back("Authorization", "Bearer ' OR '1'='1' --");
  cases.push_back(sql_token);
  auto long_token =
      post_result("results with a 6000-byte token", ok, 401, "unauthorized", Caller::none);
  long_token.headers.emplace_back("Authorization", "Bearer drd_" + std::string(6000, 'Z'));
  cases.push_back(long_token);
  cases.push_back(post_result("results with a viewer token", ok, 403, "forbidden", Caller::viewer));
  cases.push_back(
      post_result("results for another device", ok, 403, "forbidden_device", Caller::other_device));
  cases.push_back(post_result("a batch with another device's result", batch_of(1, ok) + "", 403,
                              "forbidden_device", Caller::other_device));

  // Syntax.
  cases.push_back(post_result("broken JSON", "{\"device_id\": ", 400, "malformed_json"));
  cases.push_back(post_result("JSON with trailing garbage", ok + "}{", 400, "malformed_json"));
  cases.push_back(post_result("arrays nested 5000 deep",
                              std::string(5000, '[') + std::string(5000, ']'), 400,
                              "malformed_json"));
  std::string deep_objects;
  for (int i = 0; i < 40; ++i) deep_objects += "{\"a\":";
  deep_objects += "1" + std::string(40, '}');
  cases.push_back(post_result("objects nested 40 deep", deep_objects, 400, "malformed_json"));
  cases.push_back(
      post_result("a NaN literal", result_with("confidence", "NaN"), 400, "malformed_json"));
  cases.push_back(post_result("an Infinity literal", result_with("confidence", "Infinity"), 400,
                              "malformed_json"));
  cases.push_back(
      post_result("confidence 1e400", result_with("confidence", "1e400"), 400, "malformed_json"));
  cases.push_back(
      post_result("confidence -1e400", result_with("confidence", "-1e400"), 400, "malformed_json"));
  cases.push_back(post_result("invalid UTF-8 in a label", result_with("label", "\"\xff\xfe\""), 400,
                              "malformed_json"));
  cases.push_back(post_result("an overlong UTF-8 slash", result_with("label", "\"\xc0\xaf\""), 400,
                              "malformed_json"));
  cases.push_back(post_result("a lone surrogate escape", result_with("label", "\"\\ud800\""), 400,
                              "malformed_json"));

  // Types and ranges.
  cases.push_back(post_result("confidence 2^64", result_with("confidence", "18446744073709551616"),
                              400, "out_of_range"));
  cases.push_back(post_result("confidence as a string", result_with("confidence", "\"0.9\""), 400,
                              "invalid_type"));
  cases.push_back(
      post_result("confidence 1.5", result_with("confidence", "1.5"), 400, "out_of_range"));
  cases.push_back(
      post_result("confidence -0.1", result_with("confidence", "-0.1"), 400, "out_of_range"));
  cases.push_back(post_result("timestamp 2^64-1", result_with("timestamp", "18446744073709551615"),
                              400, "invalid_timestamp"));
  cases.push_back(post_result("timestamp 2^64", result_with("timestamp", "18446744073709551616"),
                              400, "invalid_timestamp"));
  cases.push_back(post_result("timestamp month 13",
                              result_with("timestamp", "\"2026-13-45T99:99:99Z\""), 400,
                              "invalid_timestamp"));
  cases.push_back(post_result("timestamp in words", result_with("timestamp", "\"yesterday\""), 400,
                              "invalid_timestamp"));
  cases.push_back(
      post_result("timestamp -1", result_with("timestamp", "-1"), 400, "invalid_timestamp"));
  cases.push_back(post_result("timestamp in seconds", result_with("timestamp", "1795000000"), 400,
                              "invalid_timestamp"));
  cases.push_back(post_result("timestamp in the year 2999",
                              result_with("timestamp", "\"2999-01-01T00:00:00Z\""), 400,
                              "invalid_timestamp"));
  cases.push_back(
      post_result("device_id as a number", result_with("device_id", "123"), 400, "invalid_type"));
  cases.push_back(post_result("device_id with SQL", result_with("device_id", "\"" + k_sql + "\""),
                              400, "invalid_device_id"));
  cases.push_back(post_result("device_id with a path",
                              result_with("device_id", "\"../../etc/passwd\""), 400,
                              "invalid_device_id"));
  cases.push_back(post_result("device_id of 65 chars",
                              result_with("device_id", "\"" + std::string(65, 'a') + "\""), 400,
                              "invalid_device_id"));
  cases.push_back(post_result("model_version percent-encoded dots",
                              result_with("model_version", "\"%2e%2e%2f\""), 400,
                              "invalid_model_version"));
  cases.push_back(post_result("label of 129 chars",
                              result_with("label", "\"" + std::string(129, 'x') + "\""), 400,
                              "invalid_length"));
  cases.push_back(post_result("label of 900 KB",
                              result_with("label", "\"" + std::string(900'000, 'x') + "\""), 400,
                              "invalid_length"));
  cases.push_back(post_result("label with a NUL", result_with("label", "\"a\\u0000b\""), 400,
                              "invalid_characters"));
  cases.push_back(post_result("missing label", result_with("label", ""), 400, "missing_field"));
  cases.push_back(
      post_result("scores as an array", result_with("scores", "[1, 2]"), 400, "invalid_scores"));
  cases.push_back(post_result("a score as a string", result_with("scores", "{\"a\": \"high\"}"),
                              400, "invalid_type"));
  cases.push_back(
      post_result("an unknown field", result_with("is_admin", "true"), 400, "unknown_field"));
  cases.push_back(post_result("features of the wrong width", result_with("features", "[[1, 2]]"),
                              400, "invalid_features"));
  cases.push_back(post_result("the body is an array", "[]", 400, "invalid_type"));
  cases.push_back(post_result("the body is null", "null", 400, "invalid_type"));
  cases.push_back(post_result("an empty batch", "{\"results\": []}", 400, "empty_batch"));
  cases.push_back(
      post_result("a batch over the limit", batch_of(1001, ok), 413, "batch_too_large"));
  cases.push_back(post_result("a batch with an extra field",
                              "{\"results\": [" + ok + "], \"x\": 1}", 400, "unknown_field"));
  cases.push_back(post_result("a batch with a bad fourth element",
                              batch_of(3, ok).substr(0, batch_of(3, ok).size() - 2) + "," +
                                  result_with("confidence", "7") + "]}",
                              400, "out_of_range"));

  // Framing, type and encoding.
  cases.push_back(post_result("an empty body", "", 400, "empty_body"));
  auto text = post_result("a text/plain body", ok, 415, "unsupported_media_type");
  text.headers = {{"Content-Type", "text/plain"}};
  cases.push_back(text);
  auto no_type = post_result("no Content-Type", ok, 415, "unsupported_media_type");
  no_type.headers.clear();
  cases.push_back(no_type);
  auto jsonp = post_result("application/jsonp", ok, 415, "unsupported_media_type");
  jsonp.headers = {{"Content-Type", "application/jsonp"}};
  cases.push_back(jsonp);
  for (const char* encoding : {"br", "deflate", "gzip, br", "x-custom"}) {
    auto c =
        post_result(std::string("Content-Encoding ") + encoding, ok, 415, "unsupported_encoding");
    c.headers.emplace_back("Content-Encoding", encoding);
    cases.push_back(c);
  }
  auto not_gzip = post_result("gzip that is not gzip", ok, 400, "unreadable_body");
  not_gzip.headers.emplace_back("Content-Encoding", "gzip");
  cases.push_back(not_gzip);
  auto bomb = post_result("a gzip bomb over the body limit", gzip(std::string(3 << 20, ' ')), 413,
                          "body_too_large");
  bomb.headers.emplace_back("Content-Encoding", "gzip");
  cases.push_back(bomb);
  cases.push_back(raw("a body over the limit by its length", "POST", "/api/v1/results",
                      Caller::device, {{"Content-Type", k_json}, {"Content-Length", "2000000"}}, "",
                      413, "body_too_large"));
  cases.push_back(raw("a Content-Length of 2^64", "POST", "/api/v1/results", Caller::device,
                      {{"Content-Type", k_json}, {"Content-Length", "18446744073709551616"}}, "",
                      413, "body_too_large"));
  cases.push_back(raw("a body shorter than its length", "POST", "/api/v1/results", Caller::device,
                      {{"Content-Type", k_json}, {"Content-Length", "5000"}}, ok, 400, ""));
  cases.push_back(raw("a broken chunk size", "POST", "/api/v1/results", Caller::device,
                      {{"Content-Type", k_json}, {"Transfer-Encoding", "chunked"}},
                      "zz\r\n" + ok + "\r\n0\r\n\r\n", 400, ""));
  cases.push_back(raw("chunked JSON that is broken", "POST", "/api/v1/results", Caller::device,
                      {{"Content-Type", k_json}, {"Transfer-Encoding", "chunked"}},
                      "5\r\n{\"a\":\r\n0\r\n\r\n", 400, "malformed_json"));
}

}  // namespace driftd::test
