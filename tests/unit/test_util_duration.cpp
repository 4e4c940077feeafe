#include <doctest/doctest.h>

#include "driftd/util/duration.hpp"

using driftd::util::format_duration;
using driftd::util::parse_duration;
using namespace std::chrono_literals;

TEST_CASE("durations parse in every unit") {
  CHECK(parse_duration("500ms").value() == 500ms);
  CHECK(parse_duration("30s").value() == 30s);
  CHECK(parse_duration("5m").value() == 5min);
  CHECK(parse_duration("24h").value() == 24h);
  CHECK(parse_duration("7d").value() == 168h);
  CHECK(parse_duration("1.5s").value() == 1500ms);
}

TEST_CASE("malformed durations are refused with a reason") {
  for (const char* text : {"", "5", "s", "-5s", "5 s", "5sec", "1e3s", "5.5.5s"}) {
    auto r = parse_duration(text);
    CHECK_MESSAGE(!r.ok(), text);
    if (!r.ok()) CHECK(r.error().code == "bad_duration");
  }
}

TEST_CASE("durations format back to their shortest exact form") {
  CHECK(format_duration(90s) == "90s");
  CHECK(format_duration(1h) == "1h");
  CHECK(format_duration(168h) == "7d");
  CHECK(format_duration(1500ms) == "1500ms");
}
