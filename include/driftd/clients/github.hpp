#pragma once
// GitHub REST: firing a repository_dispatch event on the firmware repository
// (POST {api_url}/repos/{owner}/{repo}/dispatches). One call, no retries.

#include <string>

#include <nlohmann/json.hpp>

#include "driftd/clients/remote_error.hpp"
#include "driftd/config/config.hpp"
#include "driftd/net/http_client.hpp"
#include "driftd/net/timeouts.hpp"

namespace driftd::clients {

// GitHub's limits on a dispatch body (OpenAPI: event_type 1..100 chars, client_payload at
// most 10 top-level properties).
inline constexpr std::size_t k_max_event_type_length = 100;
inline constexpr std::size_t k_max_client_payload_keys = 10;

class GitHubClient {
 public:
  // `config.repository` is "owner/name"; `token` (read by the caller with
  // util::read_secret) is registered for redaction and only sent as "Authorization: Bearer".
  GitHubClient(net::HttpClient http, const config::GitHub& config, std::string token,
               net::TimeoutPolicy timeouts = {});

  // Sends {"event_type", "client_payload"}; success is GitHub's 204. Refused without a
  // call (kind invalid) when the repository is not owner/name, the event type is empty or
  // longer than 100 characters, or the payload is not an object of at most 10 keys.
  RemoteStatus dispatch(const std::string& event_type, const nlohmann::json& client_payload) const;

 private:
  net::HttpClient m_http;
  std::string m_api_url;
  std::string m_repository;
  std::string m_token;
  net::TimeoutPolicy m_timeouts;
};

}  // namespace driftd::clients
