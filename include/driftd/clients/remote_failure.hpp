#pragma once
// The one place where an outside call's outcome becomes a RemoteError (STYLE rule 7).
// Pure functions of the answer and the current time, plus call(), which sends a request
// and applies them.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "driftd/clients/remote_error.hpp"
#include "driftd/net/http.hpp"
#include "driftd/net/http_client.hpp"
#include "driftd/util/time.hpp"

namespace driftd::clients {

// Classifies a call that got no HTTP answer: timeout → timeout, anything else → transport
// (invalid_request → invalid, response_too_large → protocol). `context` starts the message,
// e.g. "Edge Impulse Studio: start retrain".
RemoteError classify_transport_failure(const net::TransportFailure& failure,
                                       std::string_view context);

// Classifies an HTTP answer whose status is not 2xx: 429, and 403/429 with a rate-limit
// signal (Retry-After, x-ratelimit-remaining: 0, "rate limit" in the message) →
// rate_limited; other 401/403 → auth; 404 → not_found; 408 → timeout; 5xx → server_error;
// 3xx → protocol; other 4xx → invalid. The message carries the remote's error text.
RemoteError classify_http_failure(const net::HttpResponse& response, std::string_view context,
                                  util::UnixMs now);

// The wait a response asks for: Retry-After (delta-seconds or HTTP-date), else
// x-ratelimit-reset (epoch seconds) when x-ratelimit-remaining is 0. Never negative.
std::optional<std::chrono::milliseconds> requested_wait(const net::HttpResponse& response,
                                                        util::UnixMs now);

// The remote's own error text in an error body: Edge Impulse's "error", GitHub's
// "message" (with its "errors" details), or a short plain-text body; "" when none.
// At most a few hundred characters, secrets redacted.
std::string remote_error_text(std::string_view body);

// A protocol error: "<context>: <what>".
RemoteError protocol_error(std::string_view context, std::string_view what);

// Sends `request` once through `http`; a 2xx answer is returned as is, anything else
// as the classified RemoteError.
RemoteResult<net::HttpResponse> call(const net::HttpClient& http, const net::HttpRequest& request,
                                     std::string_view context);

}  // namespace driftd::clients
