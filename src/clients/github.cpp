// repository_dispatch as GitHub's REST API documents it (operation
// repos/create-dispatch-event, API version 2022-11-28): Bearer token, the vnd.github+json
// media type, an explicit API version and a User-Agent (requests without one are refused).
#include "driftd/clients/github.hpp"

#include <algorithm>

#include "driftd/clients/remote_failure.hpp"
#include "driftd/net/url.hpp"
#include "driftd/util/secrets.hpp"

namespace driftd::clients {

namespace {

bool valid_repository(const std::string& repository) {
  const auto slash = repository.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == repository.size()) return false;
  if (repository.find('/', slash + 1) != std::string::npos) return false;
  return std::all_of(repository.begin(), repository.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '/';
  });
}

RemoteError invalid(const std::string& context, const std::string& what) {
  RemoteError error;
  error.kind = RemoteErrorKind::invalid;
  error.message = util::redact(context + ": " + what);
  return error;
}

}  // namespace

GitHubClient::GitHubClient(net::HttpClient http, const config::GitHub& config, std::string token,
                           net::TimeoutPolicy timeouts)
    : m_http(std::move(http)),
      m_api_url(config.api_url),
      m_repository(config.repository),
      m_token(std::move(token)),
      m_timeouts(timeouts) {
  util::register_secret(m_token);
}

RemoteStatus GitHubClient::dispatch(const std::string& event_type,
                                    const nlohmann::json& client_payload) const {
  const std::string context = "GitHub: dispatch " + event_type + " to " + m_repository;
  if (!valid_repository(m_repository)) return invalid(context, "the repository must be owner/name");
  if (event_type.empty() || event_type.size() > k_max_event_type_length) {
    return invalid(context, "the event type must be 1 to 100 characters");
  }
  if (!client_payload.is_object()) return invalid(context, "client_payload must be an object");
  if (client_payload.size() > k_max_client_payload_keys) {
    return invalid(context, "client_payload has " + std::to_string(client_payload.size()) +
                                " top-level keys; GitHub allows at most 10");
  }

  net::HttpRequest request;
  request.service = "github";
  request.method = net::Method::post;
  request.url = net::join_url(m_api_url, "/repos/" + m_repository + "/dispatches");
  request.timeouts = m_timeouts.api;
  request.headers = {{"Authorization", "Bearer " + m_token},
                     {"Accept", "application/vnd.github+json"},
                     {"X-GitHub-Api-Version", "2022-11-28"}};
  request.content_type = "application/json";
  request.body =
      nlohmann::json{{"event_type", event_type}, {"client_payload", client_payload}}.dump();

  // GitHub answers 204; any 2xx means the event was accepted.
  auto response = call(m_http, request, context);
  if (!response) return response.error();
  return Ok{};
}

}  // namespace driftd::clients
