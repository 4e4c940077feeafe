// The hostile-input table, the other groups: clips, the read routes, the admin actions, and
// methods and paths (the results group is in hostile_cases_results.cpp). Expected codes are
// those of SPEC §4 and of the routes' own refusals (api/*.cpp, audio/audio_errors.hpp).

#include "support/hostile_cases.hpp"

#include <cstdint>
#include <cstring>

#include "support/audio_fixtures.hpp"
#include "support/http_helpers.hpp"

namespace driftd::test {

namespace {

const std::string k_json = "application/json";
const std::string k_sql = "'; DROP TABLE results; --";
const std::string k_sql_query = "%27%3B%20DROP%20TABLE%20results%3B%20--";

std::string to_string(const std::vector<std::uint8_t>& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// 16-bit mono PCM at `rate` lasting `seconds`.
std::vector<std::uint8_t> pcm_wav(double seconds, int rate = 16000) {
  const auto n = static_cast<std::size_t>(seconds * rate);
  std::vector<std::int16_t> samples(n);
  for (std::size_t i = 0; i < n; ++i) samples[i] = static_cast<std::int16_t>((i * 37) % 2000);
  return make_wav(samples, rate);
}

// A 32-bit float WAV whose samples are all NaN.
std::string nan_float_wav() {
  auto bytes = pcm_wav(0.01);  // 160 frames of 2 bytes: reused as 80 float frames
  put_u16(bytes, 20, 3);       // IEEE float
  put_u32(bytes, 28, 16000 * 4);
  put_u16(bytes, 32, 4);
  put_u16(bytes, 34, 32);
  const std::uint32_t nan_bits = 0x7FC00000u;
  for (std::size_t at = 44; at + 4 <= bytes.size(); at += 4) put_u32(bytes, at, nan_bits);
  return to_string(bytes);
}

HostileCase post_clip(std::string name, std::string query, std::string body, int status,
                      std::string code, std::string content_type = "audio/wav",
                      Caller caller = Caller::device) {
  return {std::move(name),
          "POST",
          "/api/v1/clips?" + query,
          caller,
          {{"Content-Type", std::move(content_type)}},
          std::move(body),
          status,
          std::move(code)};
}

HostileCase get(std::string name, std::string target, Caller caller, int status, std::string code,
                bool pending = false) {
  HostileCase c{std::move(name), "GET", std::move(target), caller, {}, "", status, std::move(code)};
  c.pending_route = pending;
  return c;
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

void add_clip_cases(std::vector<HostileCase>& cases) {
  const std::string q = "device_id=nursery-04&model_version=12";
  const std::string wav = to_string(pcm_wav(0.5));
  cases.push_back(
      post_clip("a clip without a token", q, wav, 401, "unauthorized", "audio/wav", Caller::none));
  cases.push_back(post_clip("a clip with a viewer token", q, wav, 403, "forbidden", "audio/wav",
                            Caller::viewer));
  cases.push_back(post_clip("a clip for another device", "device_id=kitchen-01&model_version=12",
                            wav, 403, "forbidden_device"));
  cases.push_back(post_clip("a clip sent as JSON", q, wav, 415, "unsupported_media_type", k_json));
  cases.push_back(
      post_clip("a clip sent as MP3", q, wav, 415, "unsupported_media_type", "audio/mpeg"));
  cases.push_back(post_clip("an empty clip", q, "", 400, "empty_audio"));
  cases.push_back(post_clip("MP3 bytes", q, "ID3\x03" + std::string(600, '\x11'), 415,
                            "unsupported_audio_format"));
  std::string avi = "RIFF" + std::string("\x20\0\0\0", 4) + "AVI LIST" + std::string(24, '\0');
  cases.push_back(post_clip("a RIFF that is not WAVE", q, avi, 415, "unsupported_audio_format"));
  cases.push_back(
      post_clip("a WAV cut in its header", q, wav.substr(0, 30), 400, "truncated_audio"));
  cases.push_back(
      post_clip("a WAV cut in its data", q, wav.substr(0, 1000), 400, "truncated_audio"));
  auto lying = pcm_wav(0.05);
  put_u32(lying, 40, 0x7FFFFFF0u);
  cases.push_back(
      post_clip("a WAV lying about its data size", q, to_string(lying), 400, "truncated_audio"));
  auto no_channels = pcm_wav(0.05);
  put_u16(no_channels, 22, 0);
  cases.push_back(
      post_clip("a WAV with zero channels", q, to_string(no_channels), 400, "malformed_audio"));
  auto no_rate = pcm_wav(0.05);
  put_u32(no_rate, 24, 0);
  cases.push_back(
      post_clip("a WAV with sample rate 0", q, to_string(no_rate), 400, "malformed_audio"));
  auto adpcm = pcm_wav(0.05);
  put_u16(adpcm, 20, 2);
  cases.push_back(post_clip("an ADPCM WAV", q, to_string(adpcm), 415, "unsupported_audio_format"));
  cases.push_back(post_clip("a float WAV of NaNs", q, nan_float_wav(), 400, "malformed_audio"));
  cases.push_back(post_clip("a clip longer than max_clip_seconds", q, to_string(pcm_wav(61, 1000)),
                            413, "audio_too_long"));
  cases.push_back(
      post_clip("a clip without device_id", "model_version=12", wav, 400, "missing_parameter"));
  cases.push_back(post_clip("a clip with a path as device_id",
                            "device_id=..%2F..%2Fetc%2Fpasswd&model_version=12", wav, 400,
                            "invalid_device_id"));
  cases.push_back(post_clip("a clip with SQL as model_version",
                            "device_id=nursery-04&model_version=" + k_sql_query, wav, 400,
                            "invalid_model_version"));
  cases.push_back(post_clip("a clip with an unknown parameter", q + "&path=/etc/passwd", wav, 400,
                            "unknown_parameter"));
  cases.push_back(post_clip("a clip with device_id twice", q + "&device_id=nursery-04", wav, 400,
                            "invalid_query"));
  cases.push_back(
      post_clip("a clip with confidence NaN", q + "&confidence=NaN", wav, 400, "out_of_range"));
  cases.push_back(
      post_clip("a clip with confidence 1e400", q + "&confidence=1e400", wav, 400, "invalid_type"));
  cases.push_back(post_clip("a clip with timestamp 10^20", q + "&timestamp=100000000000000000000",
                            wav, 400, "invalid_timestamp"));
  cases.push_back(post_clip("a clip with a bad RFC 3339 time",
                            q + "&timestamp=2026-02-30T25:00:00Z", wav, 400, "invalid_timestamp"));
  cases.push_back(post_clip("a clip label of invalid UTF-8", q + "&label=%ff%fe", wav, 400,
                            "invalid_encoding"));
  cases.push_back(
      post_clip("a clip label with a NUL", q + "&label=a%00b", wav, 400, "invalid_characters"));
  cases.push_back(post_clip("a clip label of 129 chars", q + "&label=" + std::string(129, 'y'), wav,
                            400, "invalid_length"));
  auto bomb = post_clip("a gzip clip over the body limit", q, gzip(std::string(3 << 20, '\0')), 413,
                        "body_too_large");
  bomb.headers.emplace_back("Content-Encoding", "gzip");
  cases.push_back(bomb);
}

void add_read_cases(std::vector<HostileCase>& cases) {
  cases.push_back(
      get("devices without a token", "/api/v1/devices", Caller::none, 401, "unauthorized"));
  cases.push_back(
      get("devices with a device token", "/api/v1/devices", Caller::device, 403, "forbidden"));
  cases.push_back(
      get("devices with a revoked token", "/api/v1/devices", Caller::revoked, 401, "unauthorized"));
  cases.push_back(
      get("baselines without a token", "/api/v1/baselines", Caller::none, 401, "unauthorized"));
  cases.push_back(
      get("baselines with a device token", "/api/v1/baselines", Caller::device, 403, "forbidden"));
  cases.push_back(
      get("retrains with a device token", "/api/v1/retrains", Caller::device, 403, "forbidden"));
  cases.push_back(get("a retrain id with SQL",
                      "/api/v1/retrains/%27%3B%20DROP%20TABLE%20"
                      "retrain_runs%3B%20--",
                      Caller::viewer, 404, "not_found"));
  cases.push_back(get("a retrain id with a path", "/api/v1/retrains/..%2f..%2fetc%2fpasswd",
                      Caller::viewer, 404, "not_found"));
  cases.push_back(get("a retrain id of 4000 chars", "/api/v1/retrains/" + std::string(4000, '9'),
                      Caller::viewer, 404, "not_found"));
  cases.push_back(get("a retrain id of invalid UTF-8", "/api/v1/retrains/%ff%fe%00", Caller::viewer,
                      404, "not_found"));
  cases.push_back(get("a retrain id forging a log line",
                      "/api/v1/retrains/x%0d%0aFORGED%20admin%20token%20created", Caller::viewer,
                      404, "not_found"));
  cases.push_back(
      get("a retrain with a device token", "/api/v1/retrains/1", Caller::device, 403, "forbidden"));

  // The drift routes (SPEC §4).
  cases.push_back(
      get("drift without a token", "/api/v1/drift", Caller::none, 401, "unauthorized", true));
  cases.push_back(
      get("drift with a device token", "/api/v1/drift", Caller::device, 403, "forbidden", true));
  cases.push_back(get("drift for a model_version with SQL",
                      "/api/v1/drift?model_version=" + k_sql_query, Caller::viewer, 400, "", true));
  cases.push_back(get("drift for a device_id with a path",
                      "/api/v1/drift?device_id=..%2F..%2Fetc%2Fpasswd", Caller::viewer, 400, "",
                      true));
  cases.push_back(get("drift with model_version twice",
                      "/api/v1/drift?model_version=12&model_version=13", Caller::viewer, 400, "",
                      true));
  cases.push_back(get("drift history since yesterday", "/api/v1/drift/history?since=yesterday",
                      Caller::viewer, 400, "", true));
  cases.push_back(get("drift history since 10^20",
                      "/api/v1/drift/history?since=100000000000000000000", Caller::viewer, 400, "",
                      true));
  cases.push_back(get("drift history until month 13",
                      "/api/v1/drift/history?until=2026-13-01T00:00:00Z", Caller::viewer, 400, "",
                      true));
  cases.push_back(get("drift history with invalid UTF-8", "/api/v1/drift/history?device_id=%ff",
                      Caller::viewer, 400, "", true));
  HostileCase evaluate{"drift evaluate with a viewer token",
                       "POST",
                       "/api/v1/drift/evaluate",
                       Caller::viewer,
                       {},
                       "",
                       403,
                       "forbidden"};
  evaluate.pending_route = true;
  cases.push_back(evaluate);
  evaluate.name = "drift evaluate with a device token";
  evaluate.caller = Caller::device;
  cases.push_back(evaluate);
  evaluate.name = "drift evaluate without a token";
  evaluate.caller = Caller::none;
  evaluate.status = 401;
  evaluate.code = "unauthorized";
  cases.push_back(evaluate);
}

void add_action_cases(std::vector<HostileCase>& cases) {
  auto trigger = [](std::string name, std::string body, Caller caller, int status, std::string code,
                    std::string type = "application/json") {
    HostileCase c{std::move(name), "POST", "/api/v1/retrains", caller, {},
                  std::move(body), status, std::move(code)};
    if (!type.empty()) c.headers.emplace_back("Content-Type", std::move(type));
    return c;
  };
  cases.push_back(trigger("a retrain by a viewer", "", Caller::viewer, 403, "forbidden"));
  cases.push_back(trigger("a retrain by a device", "", Caller::device, 403, "forbidden"));
  cases.push_back(
      trigger("a retrain with a revoked token", "", Caller::revoked, 401, "unauthorized"));
  cases.push_back(trigger("a retrain forced with a string", "{\"force\": \"yes\"}", Caller::admin,
                          400, "invalid_force"));
  cases.push_back(trigger("a retrain of a path", "{\"model_version\": \"../../x\"}", Caller::admin,
                          400, "invalid_model_version"));
  cases.push_back(trigger("a retrain with a 600-char reason",
                          "{\"reason\": \"" + std::string(600, 'r') + "\"}", Caller::admin, 400,
                          "invalid_reason"));
  cases.push_back(trigger("a retrain with an unknown field", "{\"sql\": \"" + k_sql + "\"}",
                          Caller::admin, 400, "unknown_field"));
  cases.push_back(
      trigger("a retrain body that is an array", "[]", Caller::admin, 400, "invalid_body"));
  cases.push_back(trigger("a retrain body that is broken", "{\"force\": tru", Caller::admin, 400,
                          "malformed_json"));
  cases.push_back(trigger("a retrain body as text", "{\"force\": true}", Caller::admin, 415,
                          "unsupported_media_type", "text/plain"));
}

void add_method_and_path_cases(std::vector<HostileCase>& cases) {
  auto method = [](std::string verb, std::string target, Caller caller = Caller::admin) {
    return HostileCase{verb + " " + target, verb, target, caller, {}, "", 405,
                       "method_not_allowed"};
  };
  cases.push_back(method("POST", "/healthz", Caller::none));
  cases.push_back(method("DELETE", "/metrics", Caller::none));
  cases.push_back(method("PUT", "/", Caller::none));
  cases.push_back(method("POST", "/readyz", Caller::none));
  cases.push_back(method("GET", "/api/v1/results"));
  cases.push_back(method("PATCH", "/api/v1/results"));
  cases.push_back(method("DELETE", "/api/v1/devices"));
  cases.push_back(method("GET", "/api/v1/clips"));
  cases.push_back(method("DELETE", "/api/v1/retrains/1"));
  auto pending_method = method("POST", "/api/v1/drift", Caller::viewer);
  pending_method.pending_route = true;
  cases.push_back(pending_method);
  cases.push_back(get("a path climbing out of the web root", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                      Caller::none, 404, "not_found"));
  cases.push_back(get("the database file by name", "/driftd.db", Caller::none, 404, "not_found"));
  cases.push_back(get("the config file by name", "/driftd.yaml", Caller::none, 404, "not_found"));
  cases.push_back(get("an unknown API route", "/api/v1/admin", Caller::admin, 404, "not_found"));
  cases.push_back(get("a request target of 7000 bytes", "/" + std::string(7000, 'a'), Caller::none,
                      404, "not_found"));
  cases.push_back(raw("an unknown method", "BREW", "/", Caller::none, {}, "", 400, ""));
  cases.push_back(raw("a request target over the URI limit", "GET", "/" + std::string(9000, 'a'),
                      Caller::none, {}, "", 414, ""));
}

}  // namespace

std::vector<HostileCase> hostile_cases() {
  std::vector<HostileCase> cases;
  add_result_cases(cases);
  add_clip_cases(cases);
  add_read_cases(cases);
  add_action_cases(cases);
  add_method_and_path_cases(cases);
  return cases;
}

std::string request_bytes(const HostileCase& c, const std::string& authorization) {
  std::string out = c.method + " " + c.target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!authorization.empty()) out += "Authorization: " + authorization + "\r\n";
  for (const auto& [name, value] : c.headers) out += name + ": " + value + "\r\n";
  if (!c.own_framing &&
      (!c.body.empty() || c.method == "POST" || c.method == "PUT" || c.method == "PATCH")) {
    out += "Content-Length: " + std::to_string(c.body.size()) + "\r\n";
  }
  return out + "\r\n" + c.body;
}

}  // namespace driftd::test
