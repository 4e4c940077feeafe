// Classification of outside failures, from hand-built answers (no network): the table
// the retrain runner relies on.
#include <doctest/doctest.h>

#include "driftd/clients/remote_failure.hpp"
#include "driftd/util/secrets.hpp"

using namespace driftd;
using clients::RemoteErrorKind;

namespace {

constexpr util::UnixMs k_now = 1795694400000LL;  // 2026-11-26T12:00:00Z

net::HttpResponse answer(int status, std::string body = "", net::Headers headers = {}) {
  return net::HttpResponse{status, std::move(headers), std::move(body)};
}

clients::RemoteError classify(const net::HttpResponse& r) {
  return clients::classify_http_failure(r, "Test: call", k_now);
}

}  // namespace

TEST_CASE("status codes map to error kinds, and only the retryable ones are transient") {
  struct Row {
    int status;
    RemoteErrorKind kind;
    bool transient;
  };
  for (const Row row :
       {Row{500, RemoteErrorKind::server_error, true},
        Row{502, RemoteErrorKind::server_error, true},
        Row{503, RemoteErrorKind::server_error, true},
        Row{429, RemoteErrorKind::rate_limited, true}, Row{408, RemoteErrorKind::timeout, true},
        Row{401, RemoteErrorKind::auth, false}, Row{403, RemoteErrorKind::auth, false},
        Row{404, RemoteErrorKind::not_found, false}, Row{400, RemoteErrorKind::invalid, false},
        Row{409, RemoteErrorKind::invalid, false}, Row{422, RemoteErrorKind::invalid, false},
        Row{302, RemoteErrorKind::protocol, false}}) {
    const auto error = classify(answer(row.status));
    CHECK_MESSAGE(error.kind == row.kind, row.status);
    CHECK_MESSAGE(error.transient() == row.transient, row.status);
    CHECK(error.http_status == row.status);
  }
}

TEST_CASE("Retry-After in seconds or as an HTTP-date becomes the wait of a 429") {
  const auto seconds = classify(answer(429, "", {{"Retry-After", "7"}}));
  CHECK(seconds.kind == RemoteErrorKind::rate_limited);
  CHECK(seconds.retry_after == std::chrono::milliseconds(7000));
  CHECK(seconds.message.find("retry after 7 s") != std::string::npos);

  const auto date = classify(answer(429, "", {{"retry-after", "Thu, 26 Nov 2026 12:00:30 GMT"}}));
  CHECK(date.retry_after == std::chrono::milliseconds(30000));

  const auto past = classify(answer(429, "", {{"Retry-After", "Thu, 26 Nov 2026 11:00:00 GMT"}}));
  CHECK(past.retry_after == std::chrono::milliseconds(0));

  const auto none = classify(answer(429, R"({"success":false,"error":"slow down"})"));
  CHECK(none.kind == RemoteErrorKind::rate_limited);
  CHECK_FALSE(none.retry_after.has_value());
}

TEST_CASE("GitHub's rate-limit 403 waits until x-ratelimit-reset") {
  const auto error =
      classify(answer(403, R"({"message":"API rate limit exceeded for user ID 1."})",
                      {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1795694460"}}));
  CHECK(error.kind == RemoteErrorKind::rate_limited);
  CHECK(error.transient());
  CHECK(error.retry_after == std::chrono::milliseconds(60000));

  const auto secondary =
      classify(answer(403, R"({"message":"You have exceeded a secondary rate limit."})",
                      {{"x-ratelimit-remaining", "4000"}, {"x-ratelimit-reset", "1795694460"}}));
  CHECK(secondary.kind == RemoteErrorKind::rate_limited);
  CHECK(secondary.retry_after == std::chrono::minutes(1));

  const auto forbidden = classify(
      answer(403, R"({"message":"Resource not accessible"})", {{"x-ratelimit-remaining", "4000"}}));
  CHECK(forbidden.kind == RemoteErrorKind::auth);
  CHECK_FALSE(forbidden.retry_after.has_value());
}

TEST_CASE("messages carry the remote's own error text, shortened and without secrets") {
  const auto ei = classify(answer(400, R"({"success":false,"error":"Invalid category"})"));
  CHECK(ei.message == "Test: call: HTTP 400: Invalid category");

  const auto gh = classify(answer(422, R"({"message":"Validation Failed",
      "errors":[{"resource":"x","field":"event_type","code":"missing_field"}]})"));
  CHECK(gh.message.find("Validation Failed; event_type missing_field") != std::string::npos);

  const auto text = classify(answer(500, "upstream exploded\n"));
  CHECK(text.message == "Test: call: HTTP 500: upstream exploded");

  const auto html = classify(answer(502, "<html><body>Bad gateway</body></html>"));
  CHECK(html.message == "Test: call: HTTP 502");

  util::register_secret("ei_secret_echoed_back_77");
  const auto echoed =
      classify(answer(401, R"({"success":false,"error":"Invalid key ei_secret_echoed_back_77"})"));
  CHECK(echoed.message.find("ei_secret_echoed_back_77") == std::string::npos);
  CHECK(echoed.message.find("[redacted]") != std::string::npos);

  const auto long_text = classify(answer(400, std::string(5000, 'x')));
  CHECK(long_text.message.size() < 400);
}

TEST_CASE("transport failures classify as timeout, transport, invalid or protocol") {
  using net::TransportKind;
  auto kind_of = [](TransportKind k) {
    return clients::classify_transport_failure({k, "details"}, "Test: call").kind;
  };
  CHECK(kind_of(TransportKind::timeout) == RemoteErrorKind::timeout);
  CHECK(kind_of(TransportKind::connection_failed) == RemoteErrorKind::transport);
  CHECK(kind_of(TransportKind::connection_dropped) == RemoteErrorKind::transport);
  CHECK(kind_of(TransportKind::tls) == RemoteErrorKind::transport);
  CHECK(kind_of(TransportKind::other) == RemoteErrorKind::transport);
  CHECK(kind_of(TransportKind::invalid_request) == RemoteErrorKind::invalid);
  CHECK(kind_of(TransportKind::response_too_large) == RemoteErrorKind::protocol);
  const auto e =
      clients::classify_transport_failure({TransportKind::timeout, "took too long"}, "Test: call");
  CHECK(e.message == "Test: call: timeout: took too long");
  CHECK(e.http_status == 0);
  CHECK(e.to_error().code == "remote_timeout");
}
