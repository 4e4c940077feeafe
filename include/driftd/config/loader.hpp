#pragma once
// Loading the configuration: YAML text in, a Config plus every problem found out. The
// reader is driven by the key table (config/keys.hpp); nothing stops at the first problem.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/config/config.hpp"
#include "driftd/config/problem.hpp"

namespace driftd::config {

inline constexpr std::string_view k_default_config_path = "config/driftd.yaml";
inline constexpr std::string_view k_config_path_env = "DRIFTD_CONFIG";

// What a load produced: the config (every value that could be read; defaults elsewhere)
// and the problems, sorted by line. Usable only when ok().
struct LoadOutcome {
  Config config;
  std::vector<Problem> problems;

  bool ok() const { return problems.empty(); }
};

// Reads and validates the file at `path` (relative to the working directory). A file that
// cannot be read, a YAML syntax error, unknown keys, wrong types, out-of-range values and
// broken cross-key rules all become problems. When retrain.enabled is true and
// retrain.dry_run false, the secrets named by edge_impulse.api_key_env and
// github.token_env must be readable (environment or $CREDENTIALS_DIRECTORY); they are read
// only to check that, and never kept or printed. config.source_path is set to `path`.
//
// With Checks::offline the checks against the world outside the file (secrets present, TLS
// files readable, retrain targets set) are skipped: for commands that use neither the
// network nor TLS (token, migrate, features, compare, baseline import), so that an
// operator can create tokens before the secrets are installed.
enum class Checks { all, offline };
LoadOutcome load_file(const std::string& path, Checks checks = Checks::all);

// The same for YAML already in memory; `display_name` stands for the file in problems and
// in config.source_path.
LoadOutcome load_string(std::string_view yaml, const std::string& display_name);

// SPEC §2: the --config flag when given, else $DRIFTD_CONFIG when set and non-empty, else
// config/driftd.yaml (relative to the working directory).
std::string resolve_config_path(const std::optional<std::string>& cli_flag);

// The same with the environment variable's value passed in (nullptr when unset).
std::string resolve_config_path(const std::optional<std::string>& cli_flag, const char* env_value);

}  // namespace driftd::config
