#include "driftd/cli/cli.hpp"

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <iostream>

#include "driftd/cli/commands.hpp"

namespace driftd::cli {

int run(int argc, char** argv) {
  CLI::App app{
      "driftd: drift watchdog for Edge Impulse audio models.\n"
      "Devices post results and clips; driftd scores drift against the training data\n"
      "and, when it is sustained, retrains the Edge Impulse project and dispatches the\n"
      "firmware build.",
      "driftd"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", std::string("driftd ") + DRIFTD_VERSION);

  Options options;
  app.add_option("--config", options.config_path,
                 "Config file (default: $DRIFTD_CONFIG, else config/driftd.yaml)");

  int exit_code = 0;
  add_commands(app, options, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : k_exit_usage;
  }
  spdlog::shutdown();
  return exit_code;
}

}  // namespace driftd::cli
