#pragma once
// The one HTTP transport for outside calls (libcurl; an easy handle per call, so it is
// safe to use from several threads at once). It reports what happened and nothing more:
// no retries, no interpretation of status codes (that is the clients module's job).

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "driftd/net/http.hpp"

namespace driftd::net {

// What is recorded about every call, for metrics: never a URL, header or body.
struct CallRecord {
  std::string service;  // HttpRequest::service
  Method method = Method::get;
  int status = 0;                        // 0 when there was no HTTP answer
  std::optional<TransportKind> failure;  // set when there was no HTTP answer
  std::string outcome;                   // call_outcome_label() of the outcome
  std::chrono::nanoseconds latency{0};   // from the start of the call to its end
};

// Receives one CallRecord per call, on the calling thread, after the call ends.
// Implementations must be thread-safe and must not throw.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  virtual void on_call(const CallRecord& record) noexcept = 0;
};

// The `outcome` label of driftd_outside_requests_total (util/metric_names.hpp): "ok" (2xx),
// "rate_limited" (429, or 403 with x-ratelimit-remaining: 0 or Retry-After),
// "server_error" (5xx), "client_error" (other statuses), "timeout", "transport_error"
// (every other transport failure). A summary for metrics only: the classification that
// drives retries is clients::classify_http_failure.
std::string call_outcome_label(const HttpOutcome& outcome);

// "driftd/<version>".
std::string default_user_agent();

// Sends requests; copies share the observer.
class HttpClient {
 public:
  explicit HttpClient(std::shared_ptr<CallObserver> observer = nullptr,
                      std::string user_agent = default_user_agent());

  // Performs `request` once and returns the answer or why there was none. Redirects are
  // not followed; only http and https URLs are allowed. Never throws for network
  // problems; the observer (if any) sees the call before this returns.
  HttpOutcome send(const HttpRequest& request) const;

  const std::string& user_agent() const { return m_user_agent; }

 private:
  std::shared_ptr<CallObserver> m_observer;
  std::string m_user_agent;
};

}  // namespace driftd::net
