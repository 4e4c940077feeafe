#include "driftd/api/http_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <sstream>
#include <string>

#include "driftd/api/api_error.hpp"
#include "driftd/api/rate_limiter.hpp"
#include "guarded_server.hpp"
#include "http_server_impl.hpp"

namespace driftd::api {

namespace {

// Timeouts of the server, set in one place.
constexpr std::chrono::seconds k_read_timeout{10};
constexpr std::chrono::seconds k_write_timeout{10};

// The query of a request target, each pair decoded as cpp-httplib does ('+' is a space).
// Split here rather than taken from Request::params, which drops a repeated identical
// pair: a parameter given twice must be seen twice to be refused.
std::multimap<std::string, std::string> parse_query(const std::string& target) {
  std::multimap<std::string, std::string> out;
  const auto question = target.find('?');
  if (question == std::string::npos) return out;
  const std::string query = target.substr(question + 1, target.find('#') - question - 1);
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    const auto equals = pair.find('=');
    std::string key = pair.substr(0, equals);
    if (!key.empty()) {
      std::string value = equals == std::string::npos ? std::string() : pair.substr(equals + 1);
      out.emplace(httplib::detail::decode_url(key, true), httplib::detail::decode_url(value, true));
    }
    start = end + 1;
  }
  return out;
}

// Whether the request being served on this thread had its whole body read.
thread_local bool t_body_read = false;

// Answers with `Connection: close` and closes the connection after this response.
void close_after(httplib::Response& res) {
  res.set_header("Connection", "close");
  GuardedServer::close_after_response();
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool header_starts_with(const std::string& value, std::string_view prefix) {
  if (value.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != prefix[i]) return false;
  }
  return value.size() == prefix.size() || value[prefix.size()] == ';' ||
         value[prefix.size()] == ' ';
}

// The token of an 'Authorization: Bearer TOKEN' header, or nothing.
std::optional<std::string> bearer_token(const httplib::Request& req) {
  const std::string auth = req.get_header_value("Authorization");
  constexpr std::string_view k_bearer = "Bearer ";
  if (auth.size() <= k_bearer.size() || !header_starts_with(auth, "bearer")) return std::nullopt;
  std::string token = auth.substr(k_bearer.size());
  while (!token.empty() && token.front() == ' ') token.erase(token.begin());
  return token;
}

bool is_json_type(const std::string& ct) {
  return header_starts_with(ct, "application/json");
}

bool is_audio_type(const std::string& ct) {
  for (std::string_view t :
       {"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "audio/flac", "audio/x-flac"}) {
    if (header_starts_with(ct, t)) return true;
  }
  return false;
}

bool match(const CompiledRoute& r, const std::vector<std::string>& parts,
           std::map<std::string, std::string>& params) {
  if (r.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = r.segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      if (parts[i].empty()) return false;
      params[seg.substr(1, seg.size() - 2)] = parts[i];
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<Role> parse_role(std::string_view text) {
  if (text == "device") return Role::device;
  if (text == "viewer") return Role::viewer;
  if (text == "admin") return Role::admin;
  return std::nullopt;
}

const char* role_name(Role role) {
  switch (role) {
    case Role::device:
      return "device";
    case Role::viewer:
      return "viewer";
    case Role::admin:
      return "admin";
  }
  return "unknown";
}

std::optional<std::string> Request::query_param(const std::string& name) const {
  auto [first, last] = query.equal_range(name);
  if (first == last) return std::nullopt;
  if (std::next(first) != last) {
    throw ApiError(400, "invalid_query", "query parameter '" + name + "' is given more than once",
                   name);
  }
  return first->second;
}

std::string Request::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

void Request::require_device(const std::string& device_id, std::optional<std::size_t> index) const {
  if (log_device.empty()) log_device = device_id;
  if (!principal || principal->role == Role::admin) return;
  if (principal->role == Role::device && principal->device_id == device_id) return;
  throw ApiError(403, "forbidden_device",
                 "this token may only send data for device '" + principal->device_id + "'",
                 "device_id", index);
}

Reply Reply::json(int status, const nlohmann::json& body) {
  Reply r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

Reply Reply::answered_later() {
  Reply r;
  r.status = 202;
  r.later = true;
  return r;
}

Result<std::pair<std::string, int>> split_listen_address(const std::string& listen) {
  auto bad = make_error("bad_listen", "'" + listen + "' is not host:port");
  std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 >= listen.size()) return bad;
  std::string host = listen.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return bad;
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  for (char c : listen.substr(colon + 1)) {
    if (c < '0' || c > '9') return bad;
    port = port * 10 + (c - '0');
    if (port > 65535) return bad;
  }
  return std::make_pair(host, port);
}

HttpServer::HttpServer(ServerOptions options, Authenticator authenticator, RequestObserver observer)
    : m_impl(std::make_unique<Impl>(std::move(options), std::move(authenticator),
                                    std::move(observer))) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::add_route(Route route) {
  CompiledRoute compiled{route, split_path(route.pattern)};
  m_impl->routes.push_back(std::move(compiled));
}

Status HttpServer::bind() {
  auto& impl = *m_impl;
  if (!impl.options.tls_cert.empty()) {
    impl.server = std::make_unique<httplib::SSLServer>(impl.options.tls_cert.c_str(),
                                                       impl.options.tls_key.c_str());
  } else {
    impl.server = std::make_unique<GuardedServer>(impl.options.threads);  // slow-client guard
  }
  if (!impl.server->is_valid()) {
    return make_error("tls_setup_failed",
                      "cannot serve HTTPS: the certificate or key could not be loaded");
  }
  impl.install();
  int port = impl.options.port;
  if (port == 0) {
    port = impl.server->bind_to_any_port(impl.options.host);
    if (port <= 0) port = -1;
  } else if (!impl.server->bind_to_port(impl.options.host, port)) {
    port = -1;
  }
  if (port < 0) {
    return make_error("bind_failed", "cannot listen on " + impl.options.host + ":" +
                                         std::to_string(impl.options.port) +
                                         " (address in use or not available)");
  }
  impl.port = port;
  return Ok{};
}

int HttpServer::port() const {
  return m_impl->port;
}

void HttpServer::run() {
  if (m_impl->server) m_impl->server->listen_after_bind();
}

void HttpServer::stop() {
  if (m_impl && m_impl->server) m_impl->server->stop();
}

void HttpServer::Impl::install() {
  auto& svr = *server;
  const int threads = std::max(1, options.threads);
  if (!options.tls_cert.empty()) {  // plain HTTP: GuardedServer brings its own pool
    svr.new_task_queue = [threads] {
      return new httplib::ThreadPool(static_cast<size_t>(threads));
    };
  }
  svr.set_tcp_nodelay(true);
  svr.set_keep_alive_max_count(k_keep_alive_max_requests);
  svr.set_keep_alive_timeout(k_keep_alive_seconds);
  svr.set_read_timeout(k_read_timeout);
  svr.set_write_timeout(k_write_timeout);
  svr.set_payload_max_length(static_cast<size_t>(options.max_body_bytes));

  // Runs before cpp-httplib reads a body: refuse what must never be read, and answer
  // body-less POSTs at once (the library would otherwise wait for the read timeout).
  svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    GuardedServer::headers_complete();
    const bool has_length = req.has_header("Content-Length");
    const bool chunked =
        req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
    const bool bodyless_post = (req.method == "POST" || req.method == "PUT" ||
                                req.method == "PATCH" || req.method == "DELETE") &&
                               !has_length && !chunked;
    const bool early = must_refuse_unread(req);
    if (early || bodyless_post) {
      dispatch(req, res, nullptr);
      // An unread body must not be taken for the next request on this connection.
      if (early) close_after(res);
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Clients that ask before sending a large body (curl does above 1 MiB) get the refusal
  // instead of "100 Continue", and so never send what would be refused.
  svr.set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
    GuardedServer::headers_complete();
    if (!must_refuse_unread(req)) return 100;
    dispatch(req, res, nullptr);
    close_after(res);
    return res.status;
  });

  auto plain = [this](const httplib::Request& req, httplib::Response& res) {
    dispatch(req, res, nullptr);
  };
  auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) {
    t_body_read = false;
    dispatch(req, res, &reader);
    // Refused before its body was read (no token, wrong role, rate limited, a route that
    // takes no body): the body's bytes are still on the connection, so it is closed.
    const bool declared_body =
        req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos ||
        req.get_header_value<std::uint64_t>("Content-Length") > 0;
    if (!t_body_read && declared_body) close_after(res);
  };
  // Every path, also one with a decoded line break (which ".*" would not match).
  const std::string any = "[\\s\\S]*";
  svr.Get(any, plain);
  svr.Options(any, plain);
  svr.Post(any, with_body);
  svr.Put(any, with_body);
  svr.Patch(any, with_body);
  svr.Delete(any, with_body);
  // Errors cpp-httplib answers itself (a request it cannot parse, an unknown method, a
  // target over its URI limit) get the error shape too; ours already carry a body.
  svr.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty() || req.method == "HEAD") return;
    std::string code = "bad_request";
    std::string message = "the request could not be parsed as HTTP/1.1";
    if (res.status == 414) {
      code = "uri_too_long";
      message = "the request target is longer than the server accepts";
    } else if (res.status == 413) {
      code = "body_too_large";
      message = "the body is larger than the server accepts";
    } else if (res.status == 404) {
      code = "not_found";
      message = "no such route";
    } else if (res.status != 400) {
      code = "http_error";
      message = "the request was refused";
    }
    const nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
    res.set_content(body.dump(), "application/json");
    // What follows an unparsable request on the connection cannot be trusted either.
    close_after(res);
  });
}

Reply error_reply(const ApiError& e, RequestRecord& record) {
  Reply reply = Reply::json(e.status(), e.to_json());
  record.error_code = e.code();
  if (e.extra.contains("retry_after_seconds")) {
    reply.headers.emplace_back("Retry-After",
                               std::to_string(e.extra["retry_after_seconds"].get<int>()));
  }
  if (e.extra.contains("allow")) {
    reply.headers.emplace_back("Allow", e.extra["allow"].get<std::string>());
  }
  return reply;
}

void HttpServer::Impl::conclude(Reply& reply, RequestRecord& record,
                                const std::optional<std::optional<std::string>>& recheck_token,
                                std::chrono::steady_clock::time_point started) {
  // A principal from the authenticator's cache, refused for any reason: the token is read
  // afresh, so a revoked token gets the same 401 as without the cache, whatever else was
  // wrong with the request.
  if (reply.status >= 400 && recheck_token) {
    const auto& token = *recheck_token;
    if (!token || !authenticator || !authenticator(*token, false)) {
      reply = error_reply(ApiError(401, "unauthorized", "the token is unknown or revoked"), record);
    }
  }
  record.status = reply.status;
  record.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double ms = record.seconds * 1000.0;
  if (record.status >= 500) {
    spdlog::error("{} {} {} {:.2f}ms device={} error={}", record.method, record.path, record.status,
                  ms, record.device, record.error_code);
  } else if (record.status >= 400) {
    spdlog::info("{} {} {} {:.2f}ms device={} error={}", record.method, record.path, record.status,
                 ms, record.device, record.error_code);
  } else {
    spdlog::debug("{} {} {} {:.2f}ms device={}", record.method, record.path, record.status, ms,
                  record.device);
  }
  if (observer) observer(record);
}

void HttpServer::Impl::dispatch(const httplib::Request& req, httplib::Response& res,
                                const httplib::ContentReader* reader) {
  const auto started = std::chrono::steady_clock::now();
  RequestRecord record{req.method, "unmatched", req.path, 0, 0, {}, {}};
  Request request;
  std::shared_ptr<Later> later;
  // Whether a refusal re-reads the token: only for a principal from the cache.
  auto recheck_token = [&]() -> std::optional<std::optional<std::string>> {
    if (!request.principal || !request.principal->cached) return std::nullopt;
    return bearer_token(req);
  };
  if (may_answer_later(req)) {
    request.answer_later = [&]() -> std::shared_ptr<LaterReply> {
      if (later) return later;
      auto answer = GuardedServer::answer_later();
      if (!answer) return nullptr;
      RequestRecord so_far = record;
      so_far.device = request.log_device;
      later = std::make_shared<Later>(*this, std::move(answer), std::move(so_far), recheck_token(),
                                      started);
      return later;
    };
  }
  Reply reply;
  try {
    reply = handle(req, reader, record, request);
  } catch (const ApiError& e) {
    reply = error_reply(e, record);
  } catch (const std::exception& e) {
    spdlog::error("{} {}: internal error: {}", req.method, req.path, e.what());
    reply = error_reply(internal_error(), record);
  } catch (...) {
    spdlog::error("{} {}: internal error of unknown type", req.method, req.path);
    reply = error_reply(internal_error(), record);
  }
  if (later) {
    // The connection drops what cpp-httplib writes now; the answer goes out through the
    // LaterReply (at once, when the handler refused after taking it).
    if (!reply.later) later->send(std::move(reply));
    res.status = 202;
    return;
  }
  record.device = request.log_device;
  conclude(reply, record, recheck_token(), started);
  res.status = reply.status;
  for (auto& [k, v] : reply.headers) res.set_header(k, v);
  if (!reply.body.empty() || (reply.status != 204 && reply.status != 304)) {
    res.set_content(std::move(reply.body), reply.content_type);
  }
}

Reply HttpServer::Impl::handle(const httplib::Request& req, const httplib::ContentReader* reader,
                               RequestRecord& record, Request& request) {
  // 1. Route
  const auto parts = split_path(req.path);
  const CompiledRoute* found = nullptr;
  std::string allowed;
  for (const auto& r : routes) {
    std::map<std::string, std::string> params;
    if (!match(r, parts, params)) continue;
    if (r.route.method == req.method || (req.method == "HEAD" && r.route.method == "GET")) {
      found = &r;
      request.path_params = std::move(params);
      break;
    }
    allowed += (allowed.empty() ? "" : ", ") + r.route.method;
  }
  if (found == nullptr) {
    if (!allowed.empty()) {
      ApiError e(405, "method_not_allowed",
                 req.method + " is not allowed on " + req.path + " (allowed: " + allowed + ")");
      e.extra["allow"] = allowed;
      throw e;
    }
    throw ApiError(404, "not_found", "no route " + req.path);
  }
  const Route& route = found->route;
  record.route = route.name;
  request.method = req.method;
  request.path = req.path;
  request.remote_addr = req.remote_addr;
  request.received_at = util::now_ms();
  request.query = parse_query(req.target);
  for (const auto& [k, v] : req.headers) {
    std::string name = k;
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    request.headers.emplace(std::move(name), v);
  }

  // 2. Authentication and role
  if (route.access != Access::open) {
    const auto token = bearer_token(req);
    if (!token) {
      throw ApiError(401, "unauthorized",
                     "send a token as 'Authorization: Bearer TOKEN' (driftd token create)");
    }
    request.principal = authenticator ? authenticator(*token, route.confirms_token) : std::nullopt;
    if (!request.principal) {
      throw ApiError(401, "unauthorized", "the token is unknown or revoked");
    }
    const Role role = request.principal->role;
    bool allowed_role = false;
    switch (route.access) {
      case Access::ingest:
        allowed_role = role == Role::device || role == Role::admin;
        break;
      case Access::read:
        allowed_role = role == Role::viewer || role == Role::admin;
        break;
      case Access::act:
        allowed_role = role == Role::admin;
        break;
      case Access::open:
        allowed_role = true;
        break;
    }
    if (role == Role::device) request.log_device = request.principal->device_id;
    if (!allowed_role) {
      throw ApiError(403, "forbidden",
                     std::string("a ") + role_name(role) + " token may not use " + req.method +
                         " " + route.pattern);
    }
    // 3. Rate limit, per device token
    if (role == Role::device) {
      int wait = limiter.acquire(request.principal->token_id, std::chrono::steady_clock::now());
      if (wait > 0) {
        ApiError e(429, "rate_limited",
                   "this device sends more than " + std::to_string(options.rate_limit_per_device) +
                       " requests per second; retry later");
        e.extra["retry_after_seconds"] = wait;
        throw e;
      }
    }
  }

  // 4. Encoding, size and type of the body
  if (req.has_header("Content-Encoding")) {
    const auto enc = req.get_header_value("Content-Encoding");
    if (enc != "gzip" && enc != "identity") {
      throw ApiError(415, "unsupported_encoding",
                     "Content-Encoding '" + enc + "' is not supported; send gzip or no encoding");
    }
  }
  if (req.has_header("Content-Length") && req.get_header_value<std::uint64_t>("Content-Length") >
                                              static_cast<std::uint64_t>(options.max_body_bytes)) {
    throw ApiError(413, "body_too_large",
                   "the body is larger than the limit of " +
                       std::to_string(options.max_body_bytes) + " bytes");
  }
  request.content_type = req.get_header_value("Content-Type");
  if (route.body != BodyKind::none && reader != nullptr) {
    bool too_large = false;
    const auto limit = static_cast<std::size_t>(options.max_body_bytes);
    bool ok = (*reader)([&](const char* data, size_t len) {
      if (request.body.size() + len > limit) {
        too_large = true;
        return false;
      }
      request.body.append(data, len);
      return true;
    });
    t_body_read = ok && !too_large;  // otherwise part of it is still on the connection
    if (too_large) {
      throw ApiError(413, "body_too_large",
                     "the decoded body is larger than the limit of " +
                         std::to_string(options.max_body_bytes) + " bytes");
    }
    if (!ok) {
      throw ApiError(400, "unreadable_body",
                     "the body could not be read: truncated, or not valid gzip");
    }
  }
  const bool has_body = !request.body.empty();
  switch (route.body) {
    case BodyKind::json:
    case BodyKind::optional_json:
      if ((route.body == BodyKind::json || has_body) && !is_json_type(request.content_type)) {
        throw ApiError(415, "unsupported_media_type",
                       "send the body with 'Content-Type: application/json'");
      }
      if (route.body == BodyKind::json && !has_body) {
        throw ApiError(400, "empty_body", "the request needs a JSON body");
      }
      break;
    case BodyKind::audio:
      if (!is_audio_type(request.content_type)) {
        throw ApiError(415, "unsupported_media_type",
                       "send the clip with 'Content-Type: audio/wav' (or audio/flac)");
      }
      if (!has_body) throw ApiError(400, "empty_audio", "the request body holds no audio");
      break;
    case BodyKind::none:
      break;
  }
  Reply reply = route.handler(request);
  if (req.method == "HEAD") reply.body.clear();
  return reply;
}

}  // namespace driftd::api
