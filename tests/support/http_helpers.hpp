#pragma once
// Small helpers for HTTP tests: gzip, JSON bodies, error-shape checks.

#include <httplib.h>
#include <zlib.h>

#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace driftd::test {

// gzip-compresses `data` (RFC 1952 framing).
inline std::string gzip(const std::string& data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// The body of a response as JSON (null when it is not JSON).
inline nlohmann::json json_of(const httplib::Result& r) {
  if (!r) return nullptr;
  return nlohmann::json::parse(r->body, nullptr, false);
}

// The error code of a SPEC §4 error body, or "" when the body is not of that shape.
inline std::string error_code(const httplib::Result& r) {
  auto j = json_of(r);
  if (!j.is_object() || !j.contains("error") || !j["error"].is_object()) return "";
  const auto& e = j["error"];
  if (!e.contains("code") || !e["code"].is_string() || !e.contains("message") ||
      !e["message"].is_string()) {
    return "";
  }
  return e["code"].get<std::string>();
}

}  // namespace driftd::test
