#include "driftd/api/routes.hpp"
#include "driftd/api/static_assets.hpp"

namespace driftd::api {

namespace {

// The page runs under this policy: no inline code, no outside hosts.
constexpr const char* k_content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

Reply serve_asset(const Request& req) {
  auto asset = find_asset(req.path);
  if (!asset) throw ApiError(404, "not_found", "no route " + req.path);
  Reply r;
  r.headers = {{"ETag", std::string(asset->etag)},
               {"Cache-Control", "no-cache"},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"},
               {"Content-Security-Policy", k_content_security_policy}};
  if (req.header("if-none-match") == asset->etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.body = std::string(asset->bytes);
  r.content_type = std::string(asset->content_type);
  return r;
}

}  // namespace

void add_static_routes(HttpServer& server) {
  server.add_route({"GET", "/", "/", Access::open, BodyKind::none, serve_asset});
  server.add_route({"GET", "/{asset}", "/{asset}", Access::open, BodyKind::none, serve_asset});
}

}  // namespace driftd::api
