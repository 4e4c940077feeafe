#pragma once
// Logging is the one accepted global: spdlog's default logger, set up once in main.
// Text for terminals, or one JSON object per line for journald/log shippers.

#include <string>

namespace driftd::util {

// Installs the default logger on stderr. `level`: trace|debug|info|warn|error;
// `format`: text|json. Unknown values fall back to info/text (config validation
// refuses them before this is called). Never throws.
void setup_logging(const std::string& level, const std::string& format);

}  // namespace driftd::util
