// libFuzzer target: arbitrary bytes as the YAML configuration. config::load_string()
// promises to report every problem as data (file, line, message) and never to throw or
// crash; a config it accepts must be one the daemon can run with: the checks below are
// the start-up steps of `driftd serve` that depend only on the config (listen address,
// the feature pipeline) and the documented ranges of config/driftd.yaml.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/config/listen_address.hpp"
#include "driftd/config/loader.hpp"

namespace {

using namespace driftd;

const std::string k_file = "fuzz.yaml";

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_config: broken promise: %s\n", what);
  std::abort();
}

void check_accepted(const config::Config& c) {
  require(config::parse_listen_address(c.server.listen).ok(), "server.listen parses");
  require(c.server.threads >= 1 && c.server.threads <= 256, "server.threads in [1, 256]");
  require(c.server.max_body_bytes >= 1024, "server.max_body_bytes >= 1024");
  require(std::isfinite(c.server.rate_limit_per_device) && c.server.rate_limit_per_device >= 0,
          "server.rate_limit_per_device finite and >= 0");
  require(c.server.tls_cert.empty() == c.server.tls_key.empty(), "TLS cert and key go together");
  require(c.storage.clips_max_bytes >= c.server.max_body_bytes, "clip quota holds one body");
  require(c.drift.bins >= 2 && c.drift.bins <= 100, "drift.bins in [2, 100]");
  require(c.drift.window.count() > 0, "drift.window > 0");
  require(c.drift.min_windows >= 1, "drift.min_windows >= 1");
  require(std::isfinite(c.drift.psi_warn) && c.drift.psi_warn > 0, "drift.psi_warn > 0");
  require(std::isfinite(c.drift.psi_alarm) && c.drift.psi_alarm >= c.drift.psi_warn,
          "drift.psi_alarm >= psi_warn");
  require(c.drift.consecutive >= 1, "drift.consecutive >= 1");
  require(c.retrain.job_timeout > c.retrain.poll_interval, "job_timeout > poll_interval");
  require(c.features.max_clip_seconds > 0 && c.features.max_clip_seconds <= 3600,
          "features.max_clip_seconds in (0, 3600]");
  // serve refuses to start (exit 2) when the feature pipeline cannot be planned: a config
  // that validates must plan.
  require(audio::ClipAnalyzer::create(c.features).ok(),
          "a valid config gives a usable feature pipeline");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view yaml(reinterpret_cast<const char*>(data), size);
  const config::LoadOutcome outcome = config::load_string(yaml, k_file);
  require(outcome.config.source_path == k_file, "source_path names the file");
  int previous_line = 0;
  for (const auto& p : outcome.problems) {
    require(p.file == k_file, "problems name the file");
    require(p.line >= previous_line, "problems are sorted by line");
    require(!p.message.empty(), "problems say what is wrong");
    previous_line = p.line;
  }
  if (outcome.ok()) check_accepted(outcome.config);
  return 0;
}
