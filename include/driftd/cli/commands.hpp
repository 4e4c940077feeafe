#pragma once
// The subcommands of SPEC §2, each in its own source file, registered on one CLI11 app.

#include <optional>
#include <string>

#include "driftd/config/config.hpp"
#include "driftd/config/loader.hpp"

namespace CLI {
class App;
}

namespace driftd::cli {

inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_failure = 1;
inline constexpr int k_exit_usage = 2;

// Options shared by every subcommand.
struct Options {
  std::optional<std::string> config_path;
};

// Registers every subcommand; the one that runs stores its exit code in `exit_code`.
void add_commands(CLI::App& app, Options& options, int& exit_code);

// Loads and validates the config named by --config / $DRIFTD_CONFIG / the default; prints
// every problem as FILE:LINE: message on stderr and returns nothing when there is any.
// Sets up logging from the config on success.
std::optional<config::Config> load_config(const Options& options,
                                          config::Checks checks = config::Checks::offline);

void add_serve_command(CLI::App& app, Options& options, int& exit_code);
void add_config_commands(CLI::App& app, Options& options, int& exit_code);
void add_token_commands(CLI::App& app, Options& options, int& exit_code);
void add_features_command(CLI::App& app, Options& options, int& exit_code);
void add_baseline_commands(CLI::App& app, Options& options, int& exit_code);
void add_compare_command(CLI::App& app, Options& options, int& exit_code);

}  // namespace driftd::cli
