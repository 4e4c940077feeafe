#pragma once
// Private to the config module: the table-driven walk over a parsed YAML document.

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "driftd/config/config.hpp"
#include "driftd/config/problem.hpp"
#include "source_lines.hpp"

namespace driftd::config {

// Copies every value of `root` that the key table knows and that has the right type and
// range into `config`, records where each key and section was written in `lines`, and
// appends a problem for each unknown or duplicate key, wrong type, bad duration,
// out-of-range or refused value. A refused value leaves the default in place. Returns
// false when the document is not a mapping of sections at all (nothing was read).
bool read_document(const YAML::Node& root, const std::string& file, Config& config,
                   SourceLines& lines, std::vector<Problem>& problems);

}  // namespace driftd::config
