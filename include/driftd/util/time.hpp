#pragma once
// Wall-clock time as Unix milliseconds, and its RFC 3339 text form (always UTC, "Z").
// Time enters the pure core as an argument; only the daemon reads the clock.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace driftd::util {

using UnixMs = std::int64_t;

// The current wall-clock time.
UnixMs now_ms();

// "2026-11-26T12:00:00.123Z" (milliseconds shown only when non-zero).
std::string format_rfc3339(UnixMs t);

// Parses RFC 3339 date-times with 'T' or 't', optional fraction (truncated to ms) and
// 'Z' or ±hh:mm offset. Nothing is returned for anything else, including invalid dates.
std::optional<UnixMs> parse_rfc3339(std::string_view text);

}  // namespace driftd::util
