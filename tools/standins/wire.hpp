#pragma once
// Private to the stand-ins: small pieces of HTTP and file-format handling the fake
// servers share. Written independently of driftd's own clients on purpose, so that a
// bug in one is not mirrored in the other.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace driftd::standins {

// True when `text` is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
bool valid_utf8(std::string_view text);

// "Sun, 06 Nov 1994 08:49:37 GMT" for a Unix time in milliseconds.
std::string http_date(std::int64_t unix_ms);

struct WavInfo {
  int sample_rate_hz = 0;
  int channels = 0;
  std::int64_t frames = 0;
};
// Reads the fmt and data chunks of a RIFF/WAVE file; nothing when it is not one.
std::optional<WavInfo> read_wav_info(std::string_view bytes);

// Writes `body` as application/json with `status`.
void reply_json(httplib::Response& res, int status, const nlohmann::json& body);

// Edge Impulse's error convention: {"success": false, "error": message}.
void reply_ei_error(httplib::Response& res, int status, const std::string& message);

// GitHub's error convention: {"message", "documentation_url", "status"}.
void reply_github_error(httplib::Response& res, int status, const std::string& message,
                        const std::string& documentation_url = "https://docs.github.com/rest");

// Shuts down the TCP connection `req` arrived on, so the client sees it closed without
// an answer. False when the connection could not be found.
bool drop_connection(const httplib::Request& req);

}  // namespace driftd::standins
