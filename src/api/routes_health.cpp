#include <spdlog/spdlog.h>

#include "driftd/api/api_error.hpp"
#include "driftd/api/routes.hpp"
#include "driftd/store/clip_archive.hpp"

namespace driftd::api {

void add_health_routes(HttpServer& server, Service& service) {
  server.add_route(
      {"GET", "/healthz", "/healthz", Access::open, BodyKind::none, [](const Request&) {
         return Reply::json(200, {{"status", "ok"}});
       }});

  server.add_route(
      {"GET", "/readyz", "/readyz", Access::open, BodyKind::none, [&service](const Request&) {
         auto writable = service.store.is_writable();
         if (!writable) {
           ApiError e(503, "not_ready",
                      "the database cannot take writes: " + writable.error().message);
           return Reply::json(503, e.to_json());
         }
         if (service.clips != nullptr) {
           auto clips = service.clips->is_writable();
           if (!clips) {
             ApiError e(503, "not_ready", "clips cannot be stored: " + clips.error().message);
             return Reply::json(503, e.to_json());
           }
         }
         return Reply::json(200, {{"status", "ready"}});
       }});

  server.add_route(
      {"GET", "/metrics", "/metrics", Access::open, BodyKind::none, [&service](const Request&) {
         Reply r;
         r.body = service.registry.render();
         r.content_type = "text/plain; version=0.0.4; charset=utf-8";
         return r;
       }});
}

RequestObserver metrics_observer(Service& service) {
  return [&service](const RequestRecord& record) {
    const std::string route = record.route == "unmatched" ? "other" : record.route;
    service.metrics.http_requests.labels({route, std::to_string(record.status)}).inc();
    service.metrics.http_request_duration.labels({route}).observe(record.seconds);
    const bool ingest = record.route == "/api/v1/results" || record.route == "/api/v1/clips";
    if (ingest && record.status >= 400 && record.status < 500 && !record.error_code.empty()) {
      service.metrics.inputs_rejected.labels({record.error_code}).inc();
    }
  };
}

}  // namespace driftd::api
