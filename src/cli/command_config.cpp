#include <CLI/CLI.hpp>

#include <iostream>

#include "driftd/cli/commands.hpp"
#include "driftd/config/loader.hpp"
#include "driftd/config/render.hpp"

namespace driftd::cli {

void add_config_commands(CLI::App& app, Options& options, int& exit_code) {
  auto* check = app.add_subcommand(
      "check-config",
      "Validate the config: print every problem as FILE:LINE: message, exit 2 if any");
  auto print = std::make_shared<std::string>();
  check->add_option("--print", *print, "Also print the effective config: yaml or json")
      ->check(CLI::IsMember({"yaml", "json"}));
  check->callback([&options, &exit_code, print] {
    const std::string path = config::resolve_config_path(options.config_path);
    auto outcome = config::load_file(path);
    for (const auto& problem : outcome.problems) std::cerr << problem.to_string() << "\n";
    if (!outcome.ok()) {
      std::cerr << outcome.problems.size() << " problem"
                << (outcome.problems.size() == 1 ? "" : "s") << " in " << path << "\n";
      exit_code = k_exit_usage;
      return;
    }
    if (*print == "yaml") std::cout << config::render_yaml(outcome.config);
    if (*print == "json") std::cout << config::render_json(outcome.config) << "\n";
    std::cerr << path << ": ok\n";
    exit_code = k_exit_ok;
  });
}

}  // namespace driftd::cli
