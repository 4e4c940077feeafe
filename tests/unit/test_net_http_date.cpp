#include <doctest/doctest.h>

#include "driftd/net/http_date.hpp"

using driftd::net::parse_http_date;

TEST_CASE("the three HTTP-date forms parse to the same instant") {
  constexpr long long k_expected = 784111777000LL;  // 1994-11-06T08:49:37Z
  CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").value() == k_expected);
  CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT").value() == k_expected);
  CHECK(parse_http_date("Sun Nov  6 08:49:37 1994").value() == k_expected);
  CHECK(parse_http_date("Thu, 26 Nov 2026 12:00:00 GMT").value() == 1795694400000LL);
  CHECK(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT").value() == 0);
}

TEST_CASE("malformed HTTP dates are refused") {
  for (const char* text : {"", "120", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC",
                           "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT",
                           "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                           "Sun, 06 Nov 1994 08:49:37 GMT junk", "2026-11-26T12:00:00Z"}) {
    CHECK_MESSAGE(!parse_http_date(text).has_value(), text);
  }
}
