// Classification of outside-call failures. The rate-limit rules follow GitHub's REST
// documentation (rate-limits-for-the-rest-api.md): with Retry-After wait that long; else
// with x-ratelimit-remaining 0 wait until x-ratelimit-reset; else (a secondary limit)
// wait at least a minute. Edge Impulse documents no rate limits; a 429 from it is
// handled by the same rules.
#include "driftd/clients/remote_failure.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "driftd/net/http_date.hpp"
#include "driftd/util/secrets.hpp"

namespace driftd::clients {

namespace {

constexpr std::size_t k_max_remote_text = 300;
constexpr std::chrono::milliseconds k_secondary_rate_limit_wait = std::chrono::minutes(1);

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::string lowercase(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string shorten(std::string text) {
  if (text.size() > k_max_remote_text) {
    text.resize(k_max_remote_text);
    text += "...";
  }
  return util::redact(std::move(text));
}

bool printable_text(std::string_view body) {
  return std::all_of(body.begin(), body.end(), [](unsigned char c) {
    return c >= 0x20 || c == '\n' || c == '\r' || c == '\t';
  });
}

std::string with_text(std::string message, const std::string& text) {
  if (!text.empty()) message += ": " + text;
  return message;
}

std::string format_wait(std::chrono::milliseconds wait) {
  const auto seconds = (wait.count() + 999) / 1000;
  return " (retry after " + std::to_string(seconds) + " s)";
}

}  // namespace

RemoteError classify_transport_failure(const net::TransportFailure& failure,
                                       std::string_view context) {
  RemoteError error;
  switch (failure.kind) {
    case net::TransportKind::timeout:
      error.kind = RemoteErrorKind::timeout;
      break;
    case net::TransportKind::invalid_request:
      error.kind = RemoteErrorKind::invalid;
      break;
    case net::TransportKind::response_too_large:
      error.kind = RemoteErrorKind::protocol;
      break;
    default:
      error.kind = RemoteErrorKind::transport;
      break;
  }
  error.message = util::redact(std::string(context) + ": " +
                               std::string(net::to_string(failure.kind)) + ": " + failure.message);
  return error;
}

std::optional<std::chrono::milliseconds> requested_wait(const net::HttpResponse& response,
                                                        util::UnixMs now) {
  using std::chrono::milliseconds;
  if (auto retry_after = response.header("Retry-After")) {
    if (auto seconds = parse_integer(*retry_after); seconds && *seconds >= 0) {
      return milliseconds(*seconds * 1000);
    }
    if (auto date = net::parse_http_date(*retry_after)) {
      return milliseconds(std::max<util::UnixMs>(0, *date - now));
    }
  }
  const auto remaining = response.header("x-ratelimit-remaining");
  const auto reset = response.header("x-ratelimit-reset");
  if (remaining && reset && *remaining == "0") {
    if (auto reset_s = parse_integer(*reset)) {
      return milliseconds(std::max<util::UnixMs>(0, *reset_s * 1000 - now));
    }
  }
  return std::nullopt;
}

std::string remote_error_text(std::string_view body) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object()) {
    std::string text;
    if (auto it = json.find("error"); it != json.end() && it->is_string()) {
      text = it->get<std::string>();
    } else if (auto msg = json.find("message"); msg != json.end() && msg->is_string()) {
      text = msg->get<std::string>();
      if (auto errors = json.find("errors"); errors != json.end() && errors->is_array()) {
        for (const auto& e : *errors) {
          if (e.is_object() && e.contains("message") && e["message"].is_string()) {
            text += "; " + e["message"].get<std::string>();
          } else if (e.is_object() && e.contains("code") && e["code"].is_string()) {
            text +=
                "; " + e.value("field", std::string("field")) + " " + e["code"].get<std::string>();
          }
        }
      }
    }
    return shorten(std::move(text));
  }
  if (json.is_discarded() && !body.empty() && body.size() <= 1000 && printable_text(body)) {
    std::string_view trimmed = body;
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) {
      trimmed.remove_suffix(1);
    }
    if (!trimmed.empty() && trimmed.front() != '<') return shorten(std::string(trimmed));
  }
  return "";
}

RemoteError classify_http_failure(const net::HttpResponse& response, std::string_view context,
                                  util::UnixMs now) {
  const int status = response.status;
  const std::string text = remote_error_text(response.body);
  RemoteError error;
  error.http_status = status;
  std::string message = std::string(context) + ": HTTP " + std::to_string(status);

  const auto wait = requested_wait(response, now);
  const bool says_rate_limit = lowercase(text).find("rate limit") != std::string::npos;
  if (status == 429 || (status == 403 && (wait || says_rate_limit))) {
    error.kind = RemoteErrorKind::rate_limited;
    error.retry_after = wait;
    const bool github_style =
        response.header("x-ratelimit-remaining").has_value() || says_rate_limit;
    if (!error.retry_after && github_style) error.retry_after = k_secondary_rate_limit_wait;
    if (error.retry_after) message += format_wait(*error.retry_after);
  } else if (status == 401 || status == 403) {
    error.kind = RemoteErrorKind::auth;
  } else if (status == 404) {
    error.kind = RemoteErrorKind::not_found;
  } else if (status == 408) {
    error.kind = RemoteErrorKind::timeout;
  } else if (status >= 500 && status <= 599) {
    error.kind = RemoteErrorKind::server_error;
  } else if (status >= 400 && status <= 499) {
    error.kind = RemoteErrorKind::invalid;
  } else {
    error.kind = RemoteErrorKind::protocol;
    if (response.header("Location").has_value()) {
      message += " (unexpected redirect)";
    } else {
      message += " (unexpected status)";
    }
  }
  error.message = util::redact(with_text(std::move(message), text));
  return error;
}

RemoteError protocol_error(std::string_view context, std::string_view what) {
  RemoteError error;
  error.kind = RemoteErrorKind::protocol;
  error.message = util::redact(std::string(context) + ": " + std::string(what));
  return error;
}

RemoteResult<net::HttpResponse> call(const net::HttpClient& http, const net::HttpRequest& request,
                                     std::string_view context) {
  net::HttpOutcome outcome = http.send(request);
  if (auto* failure = std::get_if<net::TransportFailure>(&outcome)) {
    return classify_transport_failure(*failure, context);
  }
  auto& response = std::get<net::HttpResponse>(outcome);
  if (response.status < 200 || response.status > 299) {
    return classify_http_failure(response, context, util::now_ms());
  }
  return std::move(response);
}

}  // namespace driftd::clients
