#include "driftd/api/api_error.hpp"
#include "driftd/api/result_validation.hpp"
#include "driftd/api/routes.hpp"
#include "driftd/store/devices.hpp"
#include "driftd/store/results.hpp"

namespace driftd::api {

namespace {

Reply post_results(Service& service, const Request& req) {
  const auto body = parse_json_body(req.body);
  const std::size_t width = static_cast<std::size_t>(service.config.features.mfcc.num_cepstral) + 1;
  auto records = parse_results(body, req.received_at, width);
  std::vector<store::ResultRecord> batch;
  batch.reserve(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto& r = records[i];
    req.require_device(r.device_id,
                       records.size() > 1 ? std::optional<std::size_t>(i) : std::nullopt);
    batch.push_back(store::ResultRecord{
        std::move(r.device_id), std::move(r.result_id), std::move(r.model_version), r.timestamp,
        std::move(r.label), r.confidence, std::move(r.scores), std::move(r.feature_windows)});
  }
  // A token from the authenticator's cache is confirmed in the same write.
  const std::int64_t live_token =
      req.principal && req.principal->cached ? req.principal->token_id : 0;
  auto accepted = [&service](const store::InsertOutcome& outcome) {
    service.metrics.results_ingested.inc(static_cast<double>(outcome.accepted));
    return Reply::json(202, {{"accepted", outcome.accepted}, {"duplicates", outcome.duplicates}});
  };
  // Answered by the store's writer right after the commit, when the connection allows:
  // this thread goes back to waiting for the device's next request meanwhile.
  if (std::shared_ptr<LaterReply> later = req.answer_later ? req.answer_later() : nullptr) {
    store::insert_results_then(
        service.store, std::move(batch), req.received_at, live_token,
        [later, accepted](const Result<store::InsertOutcome>& outcome) {
          try {
            if (outcome) {
              later->send(accepted(*outcome));
            } else {
              later->refuse(api_error_from_store(outcome.error()));
            }
          } catch (...) {  // unanswered, the LaterReply answers 500 when it is dropped
          }
        });
    return Reply::answered_later();
  }
  auto outcome =
      store::insert_results(service.store, std::move(batch), req.received_at, live_token);
  if (!outcome) throw api_error_from_store(outcome.error());
  return accepted(*outcome);
}

Reply get_devices(Service& service, const Request& req) {
  auto devices = store::list_devices(service.store, req.received_at, service.config.drift.window);
  if (!devices) throw api_error_from_store(devices.error());
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : *devices) {
    list.push_back({{"device_id", d.device_id},
                    {"last_seen", util::format_rfc3339(d.last_seen)},
                    {"first_seen", util::format_rfc3339(d.first_seen)},
                    {"model_version", d.model_version},
                    {"results", d.results},
                    {"clips", d.clips},
                    {"status", d.status}});
  }
  return Reply::json(200, {{"devices", std::move(list)}});
}

}  // namespace

void add_result_routes(HttpServer& server, Service& service) {
  server.add_route({"POST", "/api/v1/results", "/api/v1/results", Access::ingest, BodyKind::json,
                    [&service](const Request& req) { return post_results(service, req); },
                    /*confirms_token=*/true});
  server.add_route({"GET", "/api/v1/devices", "/api/v1/devices", Access::read, BodyKind::none,
                    [&service](const Request& req) { return get_devices(service, req); }});
}

void add_all_routes(HttpServer& server, Service& service) {
  add_health_routes(server, service);
  add_result_routes(server, service);
  add_clip_routes(server, service);
  add_retrain_routes(server, service);
  add_baseline_routes(server, service);
  add_drift_routes(server, service);
  add_static_routes(server);
}

}  // namespace driftd::api
