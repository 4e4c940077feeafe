#include "offline_config.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "driftd/config/loader.hpp"

namespace driftd::cli {

std::optional<config::Config> load_config_or_defaults(const Options& options,
                                                      std::string_view command) {
  const char* env = std::getenv(std::string(config::k_config_path_env).c_str());
  const bool named = options.config_path.has_value() || (env != nullptr && *env != '\0');
  const std::string path = config::resolve_config_path(options.config_path);
  std::error_code ec;
  if (!named && !std::filesystem::exists(path, ec)) {
    std::cerr << command << ": no config file at " << path
              << ": using the built-in defaults (features and drift settings of SPEC §3)\n";
    return config::Config{};
  }
  return load_config(options);
}

}  // namespace driftd::cli
