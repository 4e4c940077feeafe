#pragma once
// Private to the api module: HttpServer's inside, shared by http_server.cpp (routing,
// authentication, the request's own answer) and later_reply.cpp (answers sent later, from
// the store's writer thread).

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "driftd/api/api_error.hpp"
#include "driftd/api/http_server.hpp"
#include "driftd/api/rate_limiter.hpp"
#include "driftd/net/later_send.hpp"

namespace driftd::api {

// Keep-alive settings of the server, set in one place (a later answer announces them too).
inline constexpr int k_keep_alive_seconds = 30;
inline constexpr std::size_t k_keep_alive_max_requests = 100'000;

struct CompiledRoute {
  Route route;
  std::vector<std::string> segments;
};

// The JSON error answer of an ApiError, with the headers its extras ask for; notes its code
// in `record`.
Reply error_reply(const ApiError& e, RequestRecord& record);

// The 500 of a request whose handler failed unexpectedly.
inline ApiError internal_error() {
  return ApiError(500, "internal_error", "the server failed to handle this request");
}

struct HttpServer::Impl {
  ServerOptions options;
  Authenticator authenticator;
  RequestObserver observer;
  std::unique_ptr<httplib::Server> server;
  std::vector<CompiledRoute> routes;
  RateLimiter limiter;
  int port = 0;

  Impl(ServerOptions o, Authenticator a, RequestObserver obs)
      : options(std::move(o)),
        authenticator(std::move(a)),
        observer(std::move(obs)),
        limiter(options.rate_limit_per_device) {}

  void install();
  // True for a body that must not be read at all: too large by its Content-Length, or in
  // an encoding driftd does not decode.
  bool must_refuse_unread(const httplib::Request& req) const {
    if (req.has_header("Content-Encoding")) {
      const auto enc = req.get_header_value("Content-Encoding");
      if (enc != "gzip" && enc != "identity") return true;
    }
    return req.has_header("Content-Length") &&
           req.get_header_value<std::uint64_t>("Content-Length") >
               static_cast<std::uint64_t>(options.max_body_bytes);
  }
  void dispatch(const httplib::Request& req, httplib::Response& res,
                const httplib::ContentReader* reader);
  Reply handle(const httplib::Request& req, const httplib::ContentReader* reader,
               RequestRecord& record, Request& request);
  // Whether this request's answer may be sent later (Request::answer_later).
  bool may_answer_later(const httplib::Request& req) const;
  // The last steps of every reply: a refused cached principal's token is looked up afresh
  // (`recheck_token`: set exactly when the principal came from the cache), then the
  // record is completed, logged and observed.
  void conclude(Reply& reply, RequestRecord& record,
                const std::optional<std::optional<std::string>>& recheck_token,
                std::chrono::steady_clock::time_point started);

  class Later;
};

// A LaterReply: renders the reply as cpp-httplib would for a kept-alive connection and
// hands the bytes to the connection's net::LaterSend.
class HttpServer::Impl::Later final : public LaterReply {
 public:
  Later(Impl& impl, std::shared_ptr<net::LaterSend> answer, RequestRecord record,
        std::optional<std::optional<std::string>> recheck_token,
        std::chrono::steady_clock::time_point started)
      : m_impl(impl),
        m_answer(std::move(answer)),
        m_record(std::move(record)),
        m_recheck_token(std::move(recheck_token)),
        m_started(started) {}
  Later(const Later&) = delete;
  Later& operator=(const Later&) = delete;
  // Never left without an answer: the connection waits for one before it goes on.
  ~Later() override {
    if (!m_sent.load()) refuse(internal_error());
  }

  void send(Reply reply) override {
    if (m_sent.exchange(true)) return;
    finish(std::move(reply));
  }
  void refuse(const ApiError& error) override;

 private:
  void finish(Reply reply) {
    try {
      m_impl.conclude(reply, m_record, m_recheck_token, m_started);
    } catch (...) {
      reply = Reply::json(500, internal_error().to_json());
    }
    m_answer->send(render(reply));
  }
  static std::string render(const Reply& reply);

  Impl& m_impl;
  std::shared_ptr<net::LaterSend> m_answer;
  RequestRecord m_record;
  std::optional<std::optional<std::string>> m_recheck_token;
  std::chrono::steady_clock::time_point m_started;
  std::atomic<bool> m_sent{false};
};

}  // namespace driftd::api
