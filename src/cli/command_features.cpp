// `driftd features [--json] FILE.wav` (SPEC §2, §5): the features of every window of one
// clip, computed with the config's `features` section, for checking parity with Studio.
//
// An offline command: when no config was named (no --config, no $DRIFTD_CONFIG) and the
// default file config/driftd.yaml does not exist, it uses the built-in defaults (SPEC §3)
// and says so on stderr. A config that was named, or that exists, must load cleanly.

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>

#include "driftd/audio/features_report.hpp"
#include "driftd/cli/commands.hpp"
#include "driftd/config/loader.hpp"

namespace driftd::cli {

namespace {

bool config_named(const Options& options) {
  const char* env = std::getenv(std::string(config::k_config_path_env).c_str());
  return options.config_path.has_value() || (env != nullptr && *env != '\0');
}

// The features settings to use, or nothing (problems already printed) when the config
// cannot be loaded.
std::optional<config::Features> features_settings(const Options& options) {
  const std::string path = config::resolve_config_path(options.config_path);
  std::error_code ec;
  if (!config_named(options) && !std::filesystem::exists(path, ec)) {
    std::cerr << "driftd features: no config file at " << path
              << ": using the built-in features settings (16 kHz, 1000 ms windows every 300 ms, "
                 "MFCC defaults)\n";
    return config::Features{};
  }
  auto loaded = load_config(options);
  if (!loaded) return std::nullopt;
  return loaded->features;
}

}  // namespace

void add_features_command(CLI::App& app, Options& options, int& exit_code) {
  struct Args {
    bool json = false;
    std::string file;
  };
  auto args = std::make_shared<Args>();
  auto* features = app.add_subcommand(
      "features", "Print the features of every window of one clip (for parity checks with Studio)");
  features->add_flag("--json", args->json,
                     "One JSON object: {sample_rate_hz, windows: [{start_ms, mfcc, mfcc_raw, "
                     "rms_dbfs}]}");
  features->add_option("FILE", args->file, "The audio file (WAV or FLAC)")->required();
  features->callback([&options, &exit_code, args] {
    auto settings = features_settings(options);
    if (!settings) {
      exit_code = k_exit_usage;
      return;
    }
    exit_code =
        audio::run_features_command(args->file, args->json, *settings, std::cout, std::cerr);
  });
}

}  // namespace driftd::cli
