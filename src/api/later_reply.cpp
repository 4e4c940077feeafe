// Answers sent later (Request::answer_later): which requests may have one, and the bytes
// of the answer, rendered as cpp-httplib renders an answer on a kept-alive connection.

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "http_server_impl.hpp"

namespace driftd::api {

namespace {

// cpp-httplib's reason phrases for the statuses driftd answers with.
const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 503:
      return "Service Unavailable";
    case 507:
      return "Insufficient Storage";
    default:
      return "Internal Server Error";
  }
}

bool iless(const std::string& a, const std::string& b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) <
           std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

bool HttpServer::Impl::may_answer_later(const httplib::Request& req) const {
  if (!options.tls_cert.empty() || req.version != "HTTP/1.1" || req.method == "HEAD" ||
      req.has_header("Range")) {
    return false;
  }
  const auto lower_without_spaces = [&](const char* name) {
    std::string value;
    for (char ch : req.get_header_value(name)) {
      if (ch != ' ' && ch != '\t')
        value += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    return value;
  };
  // A later answer is never compressed: fine for any client that does not refuse an
  // uncompressed one.
  const std::string accepted = lower_without_spaces("Accept-Encoding");
  return lower_without_spaces("Connection").find("close") == std::string::npos &&
         accepted.find("identity;q=0") == std::string::npos &&
         accepted.find("*;q=0") == std::string::npos;
}

void HttpServer::Impl::Later::refuse(const ApiError& error) {
  if (m_sent.exchange(true)) return;
  Reply reply;
  try {
    reply = error_reply(error, m_record);
  } catch (...) {
    reply = Reply::json(500, internal_error().to_json());
  }
  finish(std::move(reply));
}

std::string HttpServer::Impl::Later::render(const Reply& reply) {
  std::vector<std::pair<std::string, std::string>> headers = reply.headers;
  headers.emplace_back("Keep-Alive", "timeout=" + std::to_string(k_keep_alive_seconds) +
                                         ", max=" + std::to_string(k_keep_alive_max_requests));
  headers.emplace_back("Content-Length", std::to_string(reply.body.size()));
  if (!reply.body.empty()) headers.emplace_back("Content-Type", reply.content_type);
  // In cpp-httplib's order: by name, case-insensitively.
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return iless(a.first, b.first); });
  std::string out =
      "HTTP/1.1 " + std::to_string(reply.status) + " " + reason_phrase(reply.status) + "\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  out += reply.body;
  return out;
}

}  // namespace driftd::api
