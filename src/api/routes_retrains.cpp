// The retrain routes of SPEC §4: list and read runs (viewer), trigger one by hand (admin).
// A run is shown exactly with the keys of SPEC §4; timestamps RFC 3339; null where unset.
#include <nlohmann/json.hpp>

#include "driftd/api/api_error.hpp"
#include "driftd/api/result_validation.hpp"
#include "driftd/api/routes.hpp"
#include "driftd/jobs/retrain_trigger.hpp"
#include "driftd/store/devices.hpp"
#include "driftd/store/ids.hpp"
#include "driftd/store/retrain_runs.hpp"

namespace driftd::api {

namespace {

using nlohmann::json;

constexpr std::size_t k_max_reason_bytes = 500;
constexpr std::int64_t k_max_listed_runs = 200;

template <typename T>
json or_null(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json run_json(const store::RetrainRun& run) {
  json per_class = nullptr;
  if (run.test_per_class) per_class = json(*run.test_per_class);
  return {{"id", run.id},
          {"state", std::string(store::to_string(run.state))},
          {"trigger", std::string(store::to_string(run.trigger))},
          {"dry_run", run.dry_run},
          {"created", util::format_rfc3339(run.created)},
          {"updated", util::format_rfc3339(run.updated)},
          {"model_version", run.model_version},
          {"clips_uploaded", run.clips_uploaded},
          {"job_id", or_null(run.job_id)},
          {"test_job_id", or_null(run.test_job_id)},
          {"test_accuracy", or_null(run.test_accuracy)},
          {"test_per_class", per_class},
          {"error", or_null(run.error)}};
}

json run_with_steps(Service& service, const store::RetrainRun& run) {
  auto steps = store::run_steps(service.store, run.id);
  if (!steps) throw api_error_from_store(steps.error());
  json body = run_json(run);
  json list = json::array();
  for (const auto& s : *steps) {
    list.push_back({{"at", util::format_rfc3339(s.at)},
                    {"step", s.step},
                    {"detail", s.detail.empty() ? json(nullptr) : json(s.detail)}});
  }
  body["steps"] = std::move(list);
  return body;
}

Reply list_retrains(Service& service, const Request&) {
  auto runs = store::list_runs(service.store, k_max_listed_runs);
  if (!runs) throw api_error_from_store(runs.error());
  json list = json::array();
  for (const auto& run : *runs) list.push_back(run_json(run));
  return Reply::json(200, {{"retrains", std::move(list)}});
}

Reply get_retrain(Service& service, const Request& req) {
  const std::string& id = req.path_params.at("id");
  auto run = store::find_run(service.store, id);
  if (!run) throw api_error_from_store(run.error());
  if (!*run) throw ApiError(404, "not_found", "no retrain run " + id);
  return Reply::json(200, run_with_steps(service, **run));
}

// The optional body {"model_version", "reason", "force"}; anything else is refused.
jobs::RetrainRequest parse_trigger(const Request& req) {
  jobs::RetrainRequest request;
  request.trigger = store::RunTrigger::manual;
  if (req.body.empty()) return request;
  const json body = parse_json_body(req.body);
  if (!body.is_object()) throw ApiError(400, "invalid_body", "the body must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    if (key == "model_version") {
      if (!value.is_string() || !store::is_valid_model_version(value.get<std::string>())) {
        throw ApiError(400, "invalid_model_version",
                       "model_version must be 1-64 characters [A-Za-z0-9._:-]", "model_version");
      }
      request.model_version = value.get<std::string>();
    } else if (key == "reason") {
      if (!value.is_string() || value.get<std::string>().size() > k_max_reason_bytes) {
        throw ApiError(400, "invalid_reason", "reason must be a string of at most 500 characters",
                       "reason");
      }
      request.reason = value.get<std::string>();
    } else if (key == "force") {
      if (!value.is_boolean()) {
        throw ApiError(400, "invalid_force", "force must be true or false", "force");
      }
      request.force = value.get<bool>();
    } else {
      throw ApiError(400, "unknown_field", "unknown field \"" + key + "\"", key);
    }
  }
  return request;
}

Reply post_retrain(Service& service, const Request& req) {
  jobs::RetrainRequest request = parse_trigger(req);
  if (!service.config.retrain.enabled) {
    throw ApiError(409, "retrain_disabled",
                   "retraining is disabled in the configuration (retrain.enabled: false)");
  }
  if (request.model_version.empty()) {
    auto latest = store::latest_model_version(service.store);
    if (!latest) throw api_error_from_store(latest.error());
    if (!*latest) {
      throw ApiError(404, "no_model_version",
                     "no device has reported a model version yet: give model_version",
                     "model_version");
    }
    request.model_version = **latest;
  }
  auto outcome = jobs::request_retrain(service.store, service.config, request, req.received_at,
                                       service.metrics.retrain_runs);
  if (!outcome) throw api_error_from_store(outcome.error());
  if (outcome->blocked) {
    const jobs::Blocked& b = *outcome->blocked;
    if (b.by == jobs::BlockReason::disabled) {
      throw ApiError(409, "retrain_disabled", b.message);
    }
    ApiError error(409, "retrain_blocked", b.message);
    error.extra["blocked_by"] = std::string(jobs::to_string(b.by));
    error.extra["until"] = b.until ? json(util::format_rfc3339(*b.until)) : json(nullptr);
    if (b.run_id) error.extra["run_id"] = *b.run_id;
    throw error;
  }
  return Reply::json(202, run_with_steps(service, *outcome->run));
}

}  // namespace

void add_retrain_routes(HttpServer& server, Service& service) {
  server.add_route({"GET", "/api/v1/retrains", "/api/v1/retrains", Access::read, BodyKind::none,
                    [&service](const Request& req) { return list_retrains(service, req); }});
  server.add_route({"GET", "/api/v1/retrains/{id}", "/api/v1/retrains/{id}", Access::read,
                    BodyKind::none,
                    [&service](const Request& req) { return get_retrain(service, req); }});
  server.add_route({"POST", "/api/v1/retrains", "/api/v1/retrains", Access::act,
                    BodyKind::optional_json,
                    [&service](const Request& req) { return post_retrain(service, req); }});
}

}  // namespace driftd::api
