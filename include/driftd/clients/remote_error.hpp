#pragma once
// What went wrong talking to Edge Impulse or GitHub, classified once (here, in the clients
// module) so that the retrain runner can decide what to do: retry, wait, or give up.
// The clients never retry; they say what happened.

#include <cassert>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "driftd/util/result.hpp"

namespace driftd::clients {

enum class RemoteErrorKind {
  timeout,       // no answer within the call's timeout
  transport,     // no HTTP answer: connection refused, dropped, reset, TLS failure
  rate_limited,  // 429, or a 403 that is GitHub's rate limit; retry_after says how long
  server_error,  // 5xx
  auth,          // 401, or 403 that is not a rate limit: the key or token is refused
  not_found,     // 404: unknown project, job, sample or repository
  invalid,       // 400, 422 and the other 4xx: the request itself is wrong
  protocol,      // an answer we cannot use: not JSON, missing fields, success:false
};

// "timeout", "transport", "rate_limited", ... (snake_case, stable).
std::string_view to_string(RemoteErrorKind kind);

struct RemoteError {
  RemoteErrorKind kind = RemoteErrorKind::protocol;
  std::string message;  // human sentence with the remote's own error text; never a secret
  int http_status = 0;  // 0 when there was no HTTP answer
  // How long the remote asked us to wait (Retry-After, or x-ratelimit-reset); set only for
  // rate_limited, and only when the remote said (a GitHub rate-limit 403/429 without any
  // header carries GitHub's documented minimum of one minute).
  std::optional<std::chrono::milliseconds> retry_after;

  // True for timeout, transport, rate_limited and server_error: trying again later may work.
  bool transient() const;

  // The same failure as a driftd::Error with code "remote_<kind>".
  Error to_error() const;
};

// A value from a remote call, or the RemoteError that prevented it.
template <typename T>
class [[nodiscard]] RemoteResult {
 public:
  RemoteResult(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
  RemoteResult(RemoteError error) : m_data(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return m_data.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(m_data);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(m_data);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(m_data));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const RemoteError& error() const {
    assert(!ok());
    return std::get<1>(m_data);
  }

 private:
  std::variant<T, RemoteError> m_data;
};

// A remote call that returns nothing on success.
using RemoteStatus = RemoteResult<Ok>;

}  // namespace driftd::clients
