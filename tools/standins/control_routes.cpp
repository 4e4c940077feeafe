// The control API of the driftd-standins program (/_standins/..., no authentication:
// loopback demos only). It exposes what tests reach through the Standins class:
//   GET  /_standins/requests | samples | jobs | dispatches   what happened (secrets masked)
//   POST /_standins/faults {"route","kind","times","retry_after_s","retry_after_date","delay_ms"}
//   POST /_standins/classify  {"accuracy": 0.72} or {"per_class": {"label": {"good","bad"}}},
//                             optional "variant"
//   POST /_standins/jobs      {"fail_next": N, "kind": "retrain", "log": ["..."]} and/or
//                             {"polls_until_finished": N}
#include "driftd/util/time.hpp"
#include "state.hpp"
#include "wire.hpp"

namespace driftd::standins {

namespace {

using nlohmann::json;

bool secret_header(const std::string& name) {
  std::string lower;
  for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower == "x-api-key" || lower == "authorization";
}

json requests_json(const State& state) {
  json out = json::array();
  for (const auto& r : state.requests) {
    json headers = json::object();
    for (const auto& [k, v] : r.headers) headers[k] = secret_header(k) ? "[redacted]" : v;
    out.push_back({{"route", route_name(r.route)},
                   {"method", r.method},
                   {"path", r.path},
                   {"query", r.query},
                   {"headers", headers},
                   {"status", r.status}});
  }
  return out;
}

json state_json(const State& state, const std::string& what) {
  if (what == "requests") return requests_json(state);
  json out = json::array();
  if (what == "samples") {
    for (const auto& s : state.samples) {
      out.push_back({{"id", s.id},
                     {"file_name", s.file_name},
                     {"category", s.category},
                     {"label", s.label ? json(*s.label) : json(nullptr)},
                     {"metadata", s.metadata},
                     {"sha256", s.sha256},
                     {"frames", s.frames},
                     {"sample_rate_hz", s.sample_rate_hz}});
    }
  } else if (what == "jobs") {
    for (const auto& [id, job] : state.jobs) {
      out.push_back(
          {{"id", id},
           {"kind", job.record.kind},
           {"variants", job.record.variants},
           {"polls", job.record.polls},
           {"finished", job.record.finished},
           {"successful", job.record.successful ? json(*job.record.successful) : json(nullptr)}});
    }
  } else {
    for (const auto& d : state.dispatches) {
      out.push_back({{"repository", d.repository},
                     {"event_type", d.event_type},
                     {"client_payload", json::parse(d.client_payload, nullptr, false)}});
    }
  }
  return out;
}

void post_fault(State& state, const json& body, httplib::Response& res) {
  const auto route = parse_route(body.value("route", ""));
  const auto kind = parse_fault(body.value("kind", ""));
  if (!route || !kind) return reply_json(res, 400, {{"error", "unknown route or kind"}});
  Fault fault;
  fault.kind = *kind;
  fault.times = body.value("times", 1);
  fault.retry_after = std::chrono::seconds(body.value("retry_after_s", 2));
  fault.retry_after_as_date = body.value("retry_after_date", false);
  fault.delay = std::chrono::milliseconds(body.value("delay_ms", 2000));
  state.inject_fault(*route, fault);
  reply_json(res, 200, {{"ok", true}});
}

void post_classify(State& state, const json& body, httplib::Response& res) {
  const std::string variant = body.value("variant", "");
  if (body.contains("accuracy") && body["accuracy"].is_number()) {
    state.set_test_accuracy(body["accuracy"].get<double>(), variant);
  } else if (body.contains("per_class") && body["per_class"].is_object()) {
    std::map<std::string, ClassScore> per_class;
    for (const auto& [label, v] : body["per_class"].items()) {
      per_class[label] = {v.value("good", std::int64_t{0}), v.value("bad", std::int64_t{0})};
    }
    std::lock_guard lock(state.mutex);
    state.classify_results[variant] = std::move(per_class);
  } else {
    return reply_json(res, 400, {{"error", "give accuracy or per_class"}});
  }
  reply_json(res, 200, {{"ok", true}});
}

void post_jobs(State& state, const json& body, httplib::Response& res) {
  std::lock_guard lock(state.mutex);
  if (body.contains("polls_until_finished")) {
    state.options.polls_until_finished = body.value("polls_until_finished", 2);
  }
  const int count = body.value("fail_next", 0);
  for (int i = 0; i < count; ++i) {
    state.planned_failures.push_back(
        {body.value("kind", std::string("retrain")),
         body.value("log", std::vector<std::string>{"Training failed"})});
  }
  reply_json(res, 200, {{"ok", true}});
}

}  // namespace

void add_control_routes(httplib::Server& server, State& state) {
  server.Get(R"(/_standins/(requests|samples|jobs|dispatches))",
             [&state](const httplib::Request& req, httplib::Response& res) {
               std::lock_guard lock(state.mutex);
               reply_json(res, 200, state_json(state, req.matches[1]));
             });
  server.Post(R"(/_standins/(faults|classify|jobs))",
              [&state](const httplib::Request& req, httplib::Response& res) {
                const auto body = json::parse(req.body, nullptr, false);
                if (!body.is_object())
                  return reply_json(res, 400, {{"error", "JSON object expected"}});
                try {
                  const std::string what = req.matches[1];
                  if (what == "faults") return post_fault(state, body, res);
                  if (what == "classify") return post_classify(state, body, res);
                  return post_jobs(state, body, res);
                } catch (const json::exception& e) {
                  reply_json(res, 400, {{"error", e.what()}});
                }
              });
}

}  // namespace driftd::standins
