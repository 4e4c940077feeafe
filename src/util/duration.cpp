#include "driftd/util/duration.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace driftd::util {

namespace {

struct Unit {
  std::string_view suffix;
  std::int64_t ms;
};

// Longest suffix first so "ms" is not read as "m".
constexpr Unit k_units[] = {
    {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000},
};

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return make_error("bad_duration", "'" + std::string(text) + "' is not a duration: " + why +
                                          " (expected e.g. 500ms, 30s, 5m, 24h, 7d)");
  };
  std::size_t digits_end = 0;
  while (digits_end < text.size() &&
         ((text[digits_end] >= '0' && text[digits_end] <= '9') || text[digits_end] == '.')) {
    ++digits_end;
  }
  if (digits_end == 0) return bad("it must start with a number");
  std::string_view number = text.substr(0, digits_end);
  std::string_view suffix = text.substr(digits_end);
  if (suffix.empty()) return bad("the unit is missing");

  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size() || !std::isfinite(value)) {
    return bad("the number is malformed");
  }
  for (const auto& unit : k_units) {
    if (suffix == unit.suffix) {
      double ms = value * static_cast<double>(unit.ms);
      if (ms > static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2)) {
        return bad("it is too large");
      }
      return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
    }
  }
  return bad("unknown unit '" + std::string(suffix) + "'");
}

std::string format_duration(std::chrono::milliseconds d) {
  std::int64_t ms = d.count();
  if (ms == 0) return "0s";
  for (auto it = std::rbegin(k_units); it != std::rend(k_units); ++it) {
    if (ms % it->ms == 0) return std::to_string(ms / it->ms) + std::string(it->suffix);
  }
  return std::to_string(ms) + "ms";
}

}  // namespace driftd::util
