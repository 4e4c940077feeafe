#pragma once
// Private to the config module: how values are written in problem messages and rendered
// config, so that every message says numbers, durations and bounds the same way.

#include <string>
#include <string_view>

#include "driftd/config/keys.hpp"

namespace driftd::config {

// Shortest text that reads back to the same double ("0.1", "60", "1e+20").
std::string format_number(double value);

// A value as the user would write it for a key of this type (durations as "24h").
std::string format_bound(double value, ValueType type);

// "between 1 and 256", ">= 0 and < 1", "> 0", ">= 1s": the bounds of a key.
std::string describe_bounds(const Bounds& bounds, ValueType type);

// True when the text looks like an API key or token rather than a name: a known token
// prefix (ei_, ghp_, github_pat_, ...), or long, without separators, mixing letters and digits.
bool looks_like_secret(std::string_view text);

// The value quoted for a message ('...', control characters escaped, long values cut),
// or a placeholder when it looks like a secret.
std::string quote(std::string_view text);

}  // namespace driftd::config
