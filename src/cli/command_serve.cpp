#include <CLI/CLI.hpp>

#include <iostream>

#include "driftd/cli/commands.hpp"
#include "driftd/daemon/serve.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/store_config.hpp"

namespace driftd::cli {

void add_serve_command(CLI::App& app, Options& options, int& exit_code) {
  auto* serve = app.add_subcommand(
      "serve", "Run the daemon in the foreground until SIGTERM/SIGINT (graceful drain, exit 0)");
  serve->callback([&options, &exit_code] {
    auto config = load_config(options, config::Checks::all);
    if (!config) {
      exit_code = k_exit_usage;
      return;
    }
    exit_code = daemon::serve(*config);
  });

  auto* migrate = app.add_subcommand("migrate", "Apply pending database migrations and exit");
  migrate->callback([&options, &exit_code] {
    auto config = load_config(options);
    if (!config) {
      exit_code = k_exit_usage;
      return;
    }
    auto opened =
        store::Store::open(store::store_options_from_config(config->storage), util::now_ms());
    if (!opened) {
      std::cerr << "driftd migrate: " << opened.error().message << "\n";
      exit_code = k_exit_failure;
      return;
    }
    const auto& report = (*opened)->migration_report();
    for (const auto& m : report.applied) {
      std::cout << "applied " << m.version << " " << m.name << "\n";
    }
    std::cout << "schema version " << report.current_version
              << (report.applied.empty() ? " (up to date)" : "") << "\n";
    exit_code = k_exit_ok;
  });
}

}  // namespace driftd::cli
