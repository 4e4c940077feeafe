#pragma once
// The effective configuration as text, for `driftd check-config` and the startup log.
// Every key of the table appears, in table order. The Config holds no secrets (only the
// names of the variables that do), and URLs are shown without any user:password part.

#include <string>

#include "driftd/config/config.hpp"

namespace driftd::config {

// YAML that load_string() reads back to the same Config (durations as "24h" etc.).
std::string render_yaml(const Config& config);

// One JSON object with the same nesting; durations as strings, numbers as numbers.
std::string render_json(const Config& config);

}  // namespace driftd::config
