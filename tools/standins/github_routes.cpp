// GitHub's "Create a repository dispatch event" (POST /repos/{owner}/{repo}/dispatches),
// as the REST API description (repos/create-dispatch-event, version 2022-11-28) and
// GitHub's REST docs describe it (edge-impulse-github-api.md §4, §4.6):
//  - no User-Agent → 403; no Authorization → 401 "Requires authentication"; a token that
//    is not the configured one (as "Bearer X" or "token X") → 401 "Bad credentials";
//  - an X-GitHub-Api-Version other than 2022-11-28 / 2026-03-10 → 400;
//  - a repository not configured → 404 "Not Found";
//  - invalid JSON → 400 "Problems parsing JSON"; not an object → 400;
//  - event_type missing, empty or over 100 characters, client_payload not an object,
//    over 10 top-level keys ("No more than 10 properties are allowed; N were supplied.")
//    or 64 KB and more → 422;
//  - success → 204 with no body. Every answer carries x-ratelimit-* headers (5000 per
//    hour, counted down by authenticated requests).
#include <algorithm>

#include "driftd/util/secrets.hpp"
#include "driftd/util/time.hpp"
#include "state.hpp"
#include "wire.hpp"

namespace driftd::standins {

namespace {

using nlohmann::json;

constexpr const char* k_docs =
    "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event";
constexpr std::size_t k_max_payload_bytes = 64 * 1024;

void rate_headers(State& state, httplib::Response& res, bool count) {
  std::lock_guard lock(state.mutex);
  if (count && state.rate_remaining > 0) --state.rate_remaining;
  const auto reset = (util::now_ms() / 3600000 + 1) * 3600;  // the next full hour
  res.set_header("x-ratelimit-limit", "5000");
  res.set_header("x-ratelimit-remaining", std::to_string(state.rate_remaining));
  res.set_header("x-ratelimit-used", std::to_string(5000 - state.rate_remaining));
  res.set_header("x-ratelimit-reset", std::to_string(reset));
  res.set_header("x-ratelimit-resource", "core");
}

std::optional<std::string> bearer_token(const std::string& authorization) {
  for (const std::string scheme : {"Bearer ", "bearer ", "token "}) {
    if (authorization.starts_with(scheme)) return authorization.substr(scheme.size());
  }
  return std::nullopt;
}

void dispatch(State& state, const httplib::Request& req, httplib::Response& res) {
  if (!req.has_header("User-Agent") || req.get_header_value("User-Agent").empty()) {
    return reply_github_error(
        res, 403,
        "Request forbidden by administrative rules. Please make sure your request has a "
        "User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api"
        "#user-agent-required). Check https://developer.github.com for other possible causes.");
  }
  if (!req.has_header("Authorization")) {
    rate_headers(state, res, false);
    return reply_github_error(res, 401, "Requires authentication");
  }
  const auto token = bearer_token(req.get_header_value("Authorization"));
  if (!token || !util::constant_time_equal(*token, state.options.github_token)) {
    rate_headers(state, res, false);
    return reply_github_error(res, 401, "Bad credentials");
  }
  rate_headers(state, res, true);
  if (req.has_header("X-GitHub-Api-Version")) {
    const std::string version = req.get_header_value("X-GitHub-Api-Version");
    if (version != "2022-11-28" && version != "2026-03-10") {
      return reply_github_error(res, 400,
                                "Unsupported 'X-GitHub-Api-Version' header value: " + version);
    }
  }
  const std::string repository = std::string(req.matches[1]) + "/" + std::string(req.matches[2]);
  const auto& repos = state.options.repositories;
  if (std::find(repos.begin(), repos.end(), repository) == repos.end()) {
    return reply_github_error(res, 404, "Not Found", k_docs);
  }
  const auto body = json::parse(req.body, nullptr, false);
  if (body.is_discarded()) return reply_github_error(res, 400, "Problems parsing JSON", k_docs);
  if (!body.is_object())
    return reply_github_error(res, 400, "Body should be a JSON object", k_docs);

  const auto event = body.find("event_type");
  if (event == body.end() || !event->is_string()) {
    return reply_github_error(res, 422, "Invalid request.\n\n\"event_type\" wasn't supplied.",
                              k_docs);
  }
  const std::string event_type = event->get<std::string>();
  if (event_type.empty() || event_type.size() > 100) {
    return reply_github_error(
        res, 422, "Invalid request.\n\nevent_type must be 1 to 100 characters.", k_docs);
  }
  json payload = json::object();
  if (const auto p = body.find("client_payload"); p != body.end()) {
    if (!p->is_object()) {
      return reply_github_error(res, 422,
                                "Invalid request.\n\nFor 'properties/client_payload', " +
                                    p->dump() + " is not an object.",
                                k_docs);
    }
    payload = *p;
  }
  if (payload.size() > 10) {
    return reply_github_error(res, 422,
                              "No more than 10 properties are allowed; " +
                                  std::to_string(payload.size()) + " were supplied.",
                              k_docs);
  }
  if (payload.dump().size() >= k_max_payload_bytes) {
    return reply_github_error(res, 422, "client_payload is too large.", k_docs);
  }
  {
    std::lock_guard lock(state.mutex);
    state.dispatches.push_back({repository, event_type, payload.dump()});
  }
  res.status = 204;
}

}  // namespace

void add_github_routes(httplib::Server& server, State& state, const Wrap& wrap) {
  server.Post(
      R"(/repos/([^/]+)/([^/]+)/dispatches)",
      wrap(Route::github_dispatch, [&state](const httplib::Request& req, httplib::Response& res) {
        dispatch(state, req, res);
      }));
}

}  // namespace driftd::standins
