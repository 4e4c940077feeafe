#pragma once
// The dashboard's static files (web/), embedded into the binary at build time by
// cmake/EmbedWeb.cmake, so that `GET /` works without any file on disk and always matches the
// API of the same build.

#include <optional>
#include <span>
#include <string_view>

namespace driftd::api {

// One embedded file.
struct Asset {
  std::string_view path;          // URL path, e.g. "/app.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view bytes;         // the file's exact contents
  std::string_view etag;          // strong validator, quoted: "\"<16 hex digits of SHA-256>\""
};

// The asset served at `path` (a URL path without query string or fragment): "/" and
// "/index.html" give the page, "/app.js" etc. the files beside it. Nothing for any other
// path, including ones with "..", "//" or a trailing slash. Never throws.
std::optional<Asset> find_asset(std::string_view path);

// Every embedded asset, sorted by path.
std::span<const Asset> all_assets();

}  // namespace driftd::api
