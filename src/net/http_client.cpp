// The libcurl transport. One easy handle per call: no shared connection state, so calls
// from several threads need no locking (curl_global_init runs once, before the first).
// Header values are handed to libcurl and nowhere else; error messages come from
// libcurl's error buffer (which names hosts and ports, never headers) and pass through
// util::redact all the same.
#include "driftd/net/http_client.hpp"

#include <curl/curl.h>

#include <mutex>
#include <utility>

#include "driftd/util/metric_names.hpp"
#include "driftd/util/secrets.hpp"

namespace driftd::net {

namespace {

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct MimeDeleter {
  void operator()(curl_mime* mime) const { curl_mime_free(mime); }
};

void global_init() {
  static std::once_flag k_once;
  std::call_once(k_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What the callbacks fill in during one transfer.
struct Transfer {
  HttpResponse response;
  std::size_t max_body = 0;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t->response.body.size() + n > t->max_body) {
    t->too_large = true;
    return 0;  // anything but n aborts the transfer
  }
  t->response.body.append(data, n);
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  const std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    t->response.headers.clear();  // a new response begins (after "100 Continue")
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;  // blank line or junk
  t->response.headers.push_back(
      Header{std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1)))});
  return n;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

TransportKind kind_of(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return TransportKind::timeout;
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
      return TransportKind::connection_failed;
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
    case CURLE_WEIRD_SERVER_REPLY:
      return TransportKind::connection_dropped;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
      return TransportKind::tls;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return TransportKind::invalid_request;
    default:
      return TransportKind::other;
  }
}

TransportFailure failure(TransportKind kind, std::string message) {
  return TransportFailure{kind, util::redact(std::move(message))};
}

// Sets every option of one transfer; false (with `error`) when the request cannot be sent.
bool configure(CURL* curl, const HttpRequest& request, const std::string& user_agent,
               Transfer& transfer, curl_slist*& headers, curl_mime*& mime, std::string& error) {
  if (has_line_break(request.url)) {
    error = "the URL contains a line break";
    return false;
  }
  for (const auto& h : request.headers) {
    if (h.name.empty() || has_line_break(h.name) || has_line_break(h.value) ||
        h.name.find(':') != std::string::npos) {
      error = "header \"" + (has_line_break(h.name) ? std::string("?") : h.name) +
              "\" cannot be sent (empty name, colon or line break)";
      return false;
    }
    // "Name;" is libcurl's way to send a header with an empty value.
    const std::string line = h.value.empty() ? h.name + ";" : h.name + ": " + h.value;
    headers = curl_slist_append(headers, line.c_str());
  }
  if (request.parts.empty() && !request.content_type.empty()) {
    headers = curl_slist_append(headers, ("Content-Type: " + request.content_type).c_str());
  }
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.timeouts.connect.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeouts.total.count()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);

  // GET sends no body; POST and PUT always send one (an explicit, possibly zero, length:
  // a POST without Content-Length stalls some servers); DELETE sends one when given.
  const bool is_get = request.method == Method::get;
  const bool sends_body =
      !is_get && (request.method != Method::del || !request.body.empty() || !request.parts.empty());
  if (request.method == Method::put || request.method == Method::del) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, std::string(to_string(request.method)).c_str());
  }
  if (is_get) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (sends_body && !request.parts.empty()) {
    mime = curl_mime_init(curl);
    for (const auto& p : request.parts) {
      curl_mimepart* part = curl_mime_addpart(mime);
      curl_mime_name(part, p.name.c_str());
      curl_mime_data(part, p.data.data(), p.data.size());
      if (!p.filename.empty()) curl_mime_filename(part, p.filename.c_str());
      if (!p.content_type.empty()) curl_mime_type(part, p.content_type.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
  } else if (sends_body) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  }
  return true;
}

HttpOutcome perform(const HttpRequest& request, const std::string& user_agent) {
  global_init();
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return failure(TransportKind::other, "libcurl could not create a handle");
  Transfer transfer;
  transfer.max_body = request.max_response_bytes;
  curl_slist* raw_headers = nullptr;
  curl_mime* raw_mime = nullptr;
  std::string error;
  const bool ok =
      configure(curl.get(), request, user_agent, transfer, raw_headers, raw_mime, error);
  std::unique_ptr<curl_slist, ListDeleter> headers(raw_headers);
  std::unique_ptr<curl_mime, MimeDeleter> mime(raw_mime);
  if (!ok) return failure(TransportKind::invalid_request, std::move(error));

  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  const CURLcode code = curl_easy_perform(curl.get());
  if (transfer.too_large) {
    return failure(
        TransportKind::response_too_large,
        "the response body exceeded " + std::to_string(request.max_response_bytes) + " bytes");
  }
  if (code != CURLE_OK) {
    std::string message = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    return failure(kind_of(code), std::move(message));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<int>(status);
  return std::move(transfer.response);
}

}  // namespace

std::string call_outcome_label(const HttpOutcome& outcome) {
  if (const auto* failed = std::get_if<TransportFailure>(&outcome)) {
    return std::string(failed->kind == TransportKind::timeout ? util::k_outcome_timeout
                                                              : util::k_outcome_transport);
  }
  const auto& response = std::get<HttpResponse>(outcome);
  const int status = response.status;
  if (status >= 200 && status <= 299) return std::string(util::k_outcome_ok);
  if (status == 429 || (status == 403 && (response.header("x-ratelimit-remaining") == "0" ||
                                          response.header("Retry-After").has_value()))) {
    return std::string(util::k_outcome_rate_limited);
  }
  if (status >= 500 && status <= 599) return std::string(util::k_outcome_server_error);
  return std::string(util::k_outcome_client_error);
}

std::string default_user_agent() {
  return std::string("driftd/") + DRIFTD_VERSION;
}

HttpClient::HttpClient(std::shared_ptr<CallObserver> observer, std::string user_agent)
    : m_observer(std::move(observer)), m_user_agent(std::move(user_agent)) {}

HttpOutcome HttpClient::send(const HttpRequest& request) const {
  const auto start = std::chrono::steady_clock::now();
  HttpOutcome outcome = perform(request, m_user_agent);
  if (m_observer) {
    CallRecord record;
    record.service = request.service;
    record.method = request.method;
    if (const auto* response = std::get_if<HttpResponse>(&outcome)) {
      record.status = response->status;
    } else {
      record.failure = std::get<TransportFailure>(outcome).kind;
    }
    record.outcome = call_outcome_label(outcome);
    record.latency = std::chrono::steady_clock::now() - start;
    m_observer->on_call(record);
  }
  return outcome;
}

}  // namespace driftd::net
