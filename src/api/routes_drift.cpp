// The drift routes of SPEC §4: the latest evaluation (viewer), its history (viewer) and an
// evaluation on demand (admin). The bodies are made by the drift evaluator
// (jobs/drift_evaluator.hpp, jobs/drift_report.hpp); this file checks the query and maps
// errors. Unknown or malformed query parameters are 400.

#include <chrono>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "driftd/api/api_error.hpp"
#include "driftd/api/field_validation.hpp"
#include "driftd/api/routes.hpp"
#include "driftd/jobs/drift_evaluator.hpp"
#include "driftd/store/devices.hpp"
#include "driftd/store/drift_evaluations.hpp"
#include "driftd/store/errors.hpp"

namespace driftd::api {

namespace {

using nlohmann::json;

constexpr std::chrono::milliseconds k_default_history = std::chrono::hours(24 * 7);

struct DriftQuery {
  std::optional<std::string> model_version;
  std::optional<std::string> device_id;
  std::optional<util::UnixMs> since;
  std::optional<util::UnixMs> until;
};

// The time in query parameter `name` (RFC 3339 or Unix ms), if given.
std::optional<util::UnixMs> period_bound(const Request& req, const std::string& name) {
  const auto text = req.query_param(name);
  if (!text) return std::nullopt;
  try {
    return parse_timestamp_query(*text, req.received_at, FieldContext{});
  } catch (const ApiError& e) {
    throw ApiError(400, e.code(), name + ": " + e.what(), name);
  }
}

DriftQuery parse_query(const Request& req, bool with_period) {
  std::set<std::string> allowed = {"model_version", "device_id"};
  if (with_period) allowed.insert({"since", "until"});
  for (const auto& [name, value] : req.query) {
    if (!allowed.contains(name)) {
      throw ApiError(400, "unknown_parameter", "unknown query parameter \"" + name + "\"", name);
    }
  }
  DriftQuery q;
  const FieldContext ctx;
  if (auto v = req.query_param("model_version")) {
    q.model_version = parse_identifier(*v, "model_version", ctx);
  }
  if (auto v = req.query_param("device_id")) q.device_id = parse_identifier(*v, "device_id", ctx);
  if (with_period) {
    q.since = period_bound(req, "since");
    q.until = period_bound(req, "until");
    if (q.since && q.until && *q.since > *q.until) {
      throw ApiError(400, "invalid_range", "since must not be later than until", "since");
    }
  }
  return q;
}

jobs::DriftEvaluator& evaluator(Service& service) {
  if (service.drift == nullptr) {
    throw ApiError(503, "drift_unavailable", "the drift evaluator is not running");
  }
  return *service.drift;
}

ApiError drift_error(const Error& error) {
  if (error.code == store::k_error_not_found) return ApiError(404, "not_found", error.message);
  return api_error_from_store(error);
}

Reply get_drift(Service& service, const Request& req) {
  const DriftQuery q = parse_query(req, false);
  auto body = evaluator(service).answer(q.model_version, q.device_id, req.received_at);
  if (!body) throw drift_error(body.error());
  return Reply::json(200, *body);
}

Reply post_evaluate(Service& service, const Request& req) {
  const DriftQuery q = parse_query(req, false);
  auto body = evaluator(service).evaluate_now(q.model_version, q.device_id, req.received_at);
  if (!body) throw drift_error(body.error());
  return Reply::json(200, *body);
}

Reply get_history(Service& service, const Request& req) {
  const DriftQuery q = parse_query(req, true);
  const util::UnixMs until = q.until.value_or(req.received_at);
  const util::UnixMs since = q.since.value_or(until - k_default_history.count());
  if (since > until) {
    throw ApiError(400, "invalid_range", "since must not be later than until", "since");
  }
  std::string version;
  if (q.model_version) {
    version = *q.model_version;
  } else {
    auto latest = store::latest_model_version(service.store);
    if (!latest) throw api_error_from_store(latest.error());
    if (!*latest) return Reply::json(200, {{"evaluations", json::array()}});
    version = **latest;
  }
  auto rows = store::evaluation_history(service.store, version, q.device_id, since, until,
                                        jobs::k_max_history);
  if (!rows) throw api_error_from_store(rows.error());
  json list = json::array();
  for (const auto& row : *rows) {
    json body = json::parse(row.body, nullptr, false);
    if (!body.is_discarded()) list.push_back(std::move(body));
  }
  json out = {{"evaluations", std::move(list)}};
  if (rows->size() >= jobs::k_max_history) out["truncated"] = true;
  return Reply::json(200, out);
}

}  // namespace

void add_drift_routes(HttpServer& server, Service& service) {
  server.add_route({"GET", "/api/v1/drift", "/api/v1/drift", Access::read, BodyKind::none,
                    [&service](const Request& req) { return get_drift(service, req); }});
  server.add_route({"GET", "/api/v1/drift/history", "/api/v1/drift/history", Access::read,
                    BodyKind::none,
                    [&service](const Request& req) { return get_history(service, req); }});
  server.add_route({"POST", "/api/v1/drift/evaluate", "/api/v1/drift/evaluate", Access::act,
                    BodyKind::none,
                    [&service](const Request& req) { return post_evaluate(service, req); }});
}

}  // namespace driftd::api
