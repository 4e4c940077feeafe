#pragma once
// The HTTP front door: a route table over cpp-httplib with everything every route needs
// done once, in order — routing (404/405), authentication (401), role (403), per-device
// rate limit (429), content encoding and type (415), a capped body read (413, the cap
// applying to the inflated size of gzip bodies), then the handler inside the one error
// boundary that turns ApiError and any other exception into the JSON error shape.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::api {

enum class Role { device, viewer, admin };

// Parses "device" | "viewer" | "admin".
std::optional<Role> parse_role(std::string_view text);
const char* role_name(Role role);

// Who is calling: the token's id, role and, for device tokens, the device id.
struct Principal {
  std::int64_t token_id = 0;
  Role role = Role::viewer;
  std::string device_id;
  // Answered from the authenticator's memory without re-reading the token: only for a
  // route that confirms the token in its own write (Route::confirms_token).
  bool cached = false;
};

// Looks a bearer token up; nothing for unknown or revoked tokens. Must be thread-safe.
// With `may_use_cache` it may answer from memory (Principal::cached); without, it reads
// the tokens as they are now.
using Authenticator =
    std::function<std::optional<Principal>(const std::string& token, bool may_use_cache)>;

enum class Access {
  open,    // no token needed
  ingest,  // device tokens (for their own device id) and admin tokens
  read,    // viewer and admin tokens
  act,     // admin tokens
};

enum class BodyKind { none, json, optional_json, audio };

class ApiError;
struct Reply;

// The answer to a request, sent later from any thread (Request::answer_later).
class LaterReply {
 public:
  virtual ~LaterReply() = default;
  // Answers the request with `reply`, which goes through the same final steps as a reply
  // returned by a handler (the cached-token check, the request log, metrics). Only the
  // first call counts. Never waits for the client; never throws.
  virtual void send(Reply reply) = 0;
  // Answers with the error shape of `error`, as a handler that threw it would have.
  virtual void refuse(const ApiError& error) = 0;
};

// What a handler sees of a request.
struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> path_params;  // {id} segments of the route pattern
  std::multimap<std::string, std::string> query;
  std::string content_type;
  std::multimap<std::string, std::string> headers;  // names in lower case
  std::string body;  // decoded (gzip inflated), at most max_body_bytes
  std::optional<Principal> principal;
  util::UnixMs received_at = 0;
  std::string remote_addr;

  // The first value of header `lower_name`, or "" when absent.
  std::string header(const std::string& lower_name) const;
  // The single value of a query parameter; ApiError 400 when it is repeated.
  std::optional<std::string> query_param(const std::string& name) const;
  // Throws ApiError 403 unless the caller may act for `device_id`.
  void require_device(const std::string& device_id, std::optional<std::size_t> index) const;
  // Records the device this request acts for, for the request log.
  mutable std::string log_device;
  // Set when the answer may come later, from another thread, once the handler has returned
  // Reply::later(): it hands out the LaterReply to answer with, or null when the answer
  // must be returned now after all. Empty when the connection needs its answer at once:
  // HTTPS, HTTP/1.0, "Connection: close", its last keep-alive request, byte ranges, or a
  // client that refuses an uncompressed answer (a later answer is never compressed).
  std::function<std::shared_ptr<LaterReply>()> answer_later;
};

struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  bool later = false;  // answered through the LaterReply the handler took

  static Reply json(int status, const nlohmann::json& body);
  // What a handler returns once it has taken a LaterReply.
  static Reply answered_later();
};

using Handler = std::function<Reply(const Request&)>;

struct Route {
  std::string method;   // GET, POST, ...
  std::string pattern;  // "/api/v1/retrains/{id}": literal segments and {name} captures
  std::string name;     // the route label in metrics and logs
  Access access = Access::read;
  BodyKind body = BodyKind::none;
  Handler handler;
  // The handler confirms, inside the write transaction that stores the request's data,
  // that a cached principal's token is still valid (store::confirm_token_live), so the
  // token may be taken from the authenticator's cache. Any error answer to a cached
  // principal is preceded by a fresh look-up, so a revoked token is answered 401 first,
  // as without the cache.
  bool confirms_token = false;
};

// One finished request, for metrics and the request log.
struct RequestRecord {
  std::string method;
  std::string route;  // Route::name, or "unmatched"
  std::string path;
  int status = 0;
  double seconds = 0;
  std::string device;
  std::string error_code;  // the JSON error code for 4xx/5xx answers
};
using RequestObserver = std::function<void(const RequestRecord&)>;

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  int threads = 8;
  std::int64_t max_body_bytes = 10 * 1024 * 1024;
  double rate_limit_per_device = 100;  // requests/s per device token; 0 = off
  std::string tls_cert;
  std::string tls_key;
};

// Splits "host:port", "[v6]:port" into host and port. Error for anything else.
Result<std::pair<std::string, int>> split_listen_address(const std::string& listen);

class HttpServer {
 public:
  HttpServer(ServerOptions options, Authenticator authenticator, RequestObserver observer = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Adds a route; call before bind().
  void add_route(Route route);

  // Binds the listening socket; the port is known afterwards. Error when it cannot bind.
  Status bind();
  int port() const;

  // Serves until stop(); returns when the listener has closed and in-flight requests
  // have been answered.
  void run();

  // Stops accepting; safe from any thread, idempotent.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace driftd::api
