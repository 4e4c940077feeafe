#include "driftd/cli/commands.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

#include "driftd/config/loader.hpp"
#include "driftd/util/log.hpp"

namespace driftd::cli {

std::optional<config::Config> load_config(const Options& options, config::Checks checks) {
  const std::string path = config::resolve_config_path(options.config_path);
  auto outcome = config::load_file(path, checks);
  if (!outcome.ok()) {
    for (const auto& problem : outcome.problems) std::cerr << problem.to_string() << "\n";
    return std::nullopt;
  }
  util::setup_logging(outcome.config.logging.level, outcome.config.logging.format);
  return std::move(outcome.config);
}

void add_commands(CLI::App& app, Options& options, int& exit_code) {
  add_serve_command(app, options, exit_code);
  add_config_commands(app, options, exit_code);
  add_token_commands(app, options, exit_code);
  add_features_command(app, options, exit_code);
  add_baseline_commands(app, options, exit_code);
  add_compare_command(app, options, exit_code);
  auto* version = app.add_subcommand("version", "Print version and build information");
  version->callback([] {
    std::cout << "driftd " << DRIFTD_VERSION << "\n"
              << "built " << __DATE__ << " with "
#if defined(__clang__)
              << "clang " << __clang_version__
#elif defined(__GNUC__)
              << "g++ " << __VERSION__
#endif
              << ", C++" << __cplusplus / 100 % 100 << "\n";
  });
}

}  // namespace driftd::cli
