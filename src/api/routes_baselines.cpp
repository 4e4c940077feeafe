// GET /api/v1/baselines (viewer): the active reference of every model version, newest
// first, with the keys of SPEC §4.

#include <nlohmann/json.hpp>

#include "driftd/api/api_error.hpp"
#include "driftd/api/routes.hpp"
#include "driftd/store/references.hpp"

namespace driftd::api {

namespace {

Reply list_baselines(Service& service, const Request&) {
  auto references = store::list_references(service.store, store::ReferenceListing::active);
  if (!references) throw api_error_from_store(references.error());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& r : *references) {
    list.push_back({{"model_version", r.model_version},
                    {"windows", r.windows},
                    {"clips", r.clips},
                    {"created", util::format_rfc3339(r.created)},
                    {"source", r.source}});
  }
  return Reply::json(200, {{"baselines", std::move(list)}});
}

}  // namespace

void add_baseline_routes(HttpServer& server, Service& service) {
  server.add_route({"GET", "/api/v1/baselines", "/api/v1/baselines", Access::read, BodyKind::none,
                    [&service](const Request& req) { return list_baselines(service, req); }});
}

}  // namespace driftd::api
