#pragma once
// The config of the offline commands (`driftd compare`): they need no database or daemon,
// so they also run where no config file exists.

#include <optional>
#include <string_view>

#include "driftd/cli/commands.hpp"
#include "driftd/config/config.hpp"

namespace driftd::cli {

// When no config was named (no --config, no $DRIFTD_CONFIG) and the default file
// config/driftd.yaml does not exist: the built-in defaults (SPEC §3), said once on stderr
// prefixed with `command`. Otherwise the config as load_config() loads it: nothing (the
// problems already printed) when it does not load cleanly.
std::optional<config::Config> load_config_or_defaults(const Options& options,
                                                      std::string_view command);

}  // namespace driftd::cli
