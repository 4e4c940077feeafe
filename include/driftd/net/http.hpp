#pragma once
// The vocabulary of one outside HTTP call: what is sent, what came back, and how a call
// that got no HTTP answer failed. Plain values; the transport is net/http_client.hpp.
// Header values may be secrets (x-api-key, Authorization): nothing here prints them.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "driftd/net/timeouts.hpp"

namespace driftd::net {

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

// One part of a multipart/form-data body. Several parts may share a name.
struct MultipartPart {
  std::string name;          // the form field, e.g. "data"
  std::string filename;      // empty: a plain field without a filename
  std::string content_type;  // empty: no Content-Type for the part
  std::string data;
};

enum class Method { get, post, put, del };

// "GET", "POST", "PUT", "DELETE".
std::string_view to_string(Method method);

struct HttpRequest {
  std::string service;  // who is called, for call records: "github", ...
  Method method = Method::get;
  std::string url;
  Headers headers;                   // never logged, never part of an error message
  std::string body;                  // for post/put/del when `parts` is empty; GET sends none
  std::string content_type;          // of `body`; empty sends none
  std::vector<MultipartPart> parts;  // non-empty: the body is multipart/form-data
  Timeouts timeouts = k_api_timeouts;
  std::size_t max_response_bytes = k_max_response_bytes;
};

// An HTTP answer, whatever its status.
struct HttpResponse {
  int status = 0;
  Headers headers;  // in arrival order, names as the server spelled them
  std::string body;

  // The first value of header `name`, compared case-insensitively; nothing when absent.
  std::optional<std::string> header(std::string_view name) const;
};

// Why a call got no HTTP answer.
enum class TransportKind {
  timeout,             // the connect or total timeout expired
  connection_failed,   // no connection: refused, unreachable, name not resolved
  connection_dropped,  // connected, then closed or reset before a full answer
  tls,                 // TLS handshake or certificate verification failed
  invalid_request,     // the request could not be sent as built (bad URL or header)
  response_too_large,  // the body exceeded the request's max_response_bytes
  other,               // anything else libcurl reports
};

// "timeout", "connection_failed", ... (snake_case, stable: used as a metrics label).
std::string_view to_string(TransportKind kind);

struct TransportFailure {
  TransportKind kind = TransportKind::other;
  std::string message;  // human sentence; never contains header values
};

// What one call produced: an HTTP answer or a transport failure.
using HttpOutcome = std::variant<HttpResponse, TransportFailure>;

}  // namespace driftd::net
