#include "driftd/net/http.hpp"

#include <algorithm>
#include <cctype>

namespace driftd::net {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view to_string(Method method) {
  switch (method) {
    case Method::get:
      return "GET";
    case Method::post:
      return "POST";
    case Method::put:
      return "PUT";
    case Method::del:
      return "DELETE";
  }
  return "GET";
}

std::string_view to_string(TransportKind kind) {
  switch (kind) {
    case TransportKind::timeout:
      return "timeout";
    case TransportKind::connection_failed:
      return "connection_failed";
    case TransportKind::connection_dropped:
      return "connection_dropped";
    case TransportKind::tls:
      return "tls";
    case TransportKind::invalid_request:
      return "invalid_request";
    case TransportKind::response_too_large:
      return "response_too_large";
    case TransportKind::other:
      return "transport_error";
  }
  return "transport_error";
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return std::nullopt;
}

}  // namespace driftd::net
