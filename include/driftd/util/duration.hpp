#pragma once
// Durations as written in the config and on the command line: an integer or decimal
// followed by a unit, e.g. "500ms", "30s", "5m", "24h", "7d".

#include <chrono>
#include <string>
#include <string_view>

#include "driftd/util/result.hpp"

namespace driftd::util {

// Parses "<number><unit>" with unit ms|s|m|h|d. Refuses negatives, missing units and
// values that overflow 64-bit milliseconds. Whitespace is not allowed.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// Shortest exact rendering in the same syntax ("90s" -> "90s", 3600000 ms -> "1h").
std::string format_duration(std::chrono::milliseconds d);

}  // namespace driftd::util
