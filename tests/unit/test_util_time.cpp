#include <doctest/doctest.h>

#include "driftd/util/time.hpp"

using driftd::util::format_rfc3339;
using driftd::util::parse_rfc3339;

TEST_CASE("RFC 3339 times parse to Unix milliseconds") {
  CHECK(parse_rfc3339("1970-01-01T00:00:00Z").value() == 0);
  CHECK(parse_rfc3339("2026-11-26T12:00:00Z").value() == 1795694400000);
  CHECK(parse_rfc3339("2026-11-26T12:00:00.25Z").value() == 1795694400250);
  CHECK(parse_rfc3339("2026-11-26T13:30:00+01:30").value() == 1795694400000);
  CHECK(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
}

TEST_CASE("invalid RFC 3339 times are refused") {
  for (const char* text : {"", "2026-11-26", "2026-11-26 12:00:00Z", "2026-13-01T00:00:00Z",
                           "2025-02-29T00:00:00Z", "2026-11-26T24:00:00Z", "2026-11-26T12:00:00",
                           "2026-11-26T12:00:00.Z", "2026-11-26T12:00:00Zjunk"}) {
    CHECK_MESSAGE(!parse_rfc3339(text).has_value(), text);
  }
}

TEST_CASE("formatting round-trips through parsing") {
  for (long long t : {0LL, 1795694400000LL, 1795694400250LL, 951782400000LL}) {
    CHECK(parse_rfc3339(format_rfc3339(t)).value() == t);
  }
  CHECK(format_rfc3339(1795694400000) == "2026-11-26T12:00:00Z");
}
