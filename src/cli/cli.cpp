#include "driftd/cli/cli.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace driftd::cli {

int run(int argc, char** argv) {
  CLI::App app{"driftd: drift watchdog for Edge Impulse audio models", "driftd"};
  app.require_subcommand(1);
  auto* version = app.add_subcommand("version", "Print version and build information");
  version->callback([] { std::cout << "driftd " << DRIFTD_VERSION << "\n"; });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return 0;
}

}  // namespace driftd::cli
