#include <doctest/doctest.h>

#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "driftd/config/keys.hpp"
#include "driftd/config/loader.hpp"
#include "driftd/config/render.hpp"
#include "test_config_support.hpp"

using namespace driftd::config;
using namespace driftd::config::test;
using namespace std::chrono_literals;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The YAML block of SPEC §3.
std::string spec_config_block() {
  const std::string spec = read_text(std::string(DRIFTD_SHARED_DIR) + "/SPEC.md");
  const auto section = spec.find("## 3. Configuration");
  const auto start = spec.find("```yaml\n", section);
  const auto end = spec.find("```", start + 8);
  REQUIRE(section != std::string::npos);
  REQUIRE(start != std::string::npos);
  REQUIRE(end != std::string::npos);
  return spec.substr(start + 8, end - start - 8);
}

void collect_leaves(const YAML::Node& node, const std::string& prefix, std::set<std::string>& out) {
  if (!node.IsMap()) {
    out.insert(prefix);
    return;
  }
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string name = it->first.Scalar();
    collect_leaves(it->second, prefix.empty() ? name : prefix + "." + name, out);
  }
}

// Keys the team added to SPEC's list (SPEC §3 allows additions, never renames).
const std::set<std::string> k_team_additions = {"drift.alpha", "storage.synchronous"};

std::set<std::string> table_paths() {
  std::set<std::string> out;
  for (const Key& key : keys()) out.insert(std::string(key.path));
  return out;
}

}  // namespace

TEST_CASE("built-in defaults are the values SPEC section 3 lists") {
  const Config c;
  CHECK(c.server.listen == "127.0.0.1:8080");
  CHECK(c.server.threads == 8);
  CHECK(c.server.max_body_bytes == 10485760);
  CHECK(c.server.rate_limit_per_device == 100);
  CHECK(c.server.tls_cert.empty());
  CHECK(c.server.tls_key.empty());
  CHECK(c.storage.database == "var/driftd.db");
  CHECK(c.storage.clips_dir == "var/clips");
  CHECK(c.storage.clips_max_bytes == 5368709120LL);
  CHECK(c.storage.results_retention == 720h);
  CHECK(c.storage.synchronous == "normal");  // a team addition
  CHECK(c.auth.admin_token_env == "DRIFTD_ADMIN_TOKEN");
  CHECK(c.features.sample_rate_hz == 16000);
  CHECK(c.features.window_ms == 1000);
  CHECK(c.features.window_increase_ms == 300);
  CHECK(c.features.zero_pad);
  CHECK(c.features.max_clip_seconds == 60);
  CHECK(c.features.mfcc.implementation_version == 4);
  CHECK(c.features.mfcc.num_cepstral == 13);
  CHECK(c.features.mfcc.frame_length == 0.02);
  CHECK(c.features.mfcc.frame_stride == 0.02);
  CHECK(c.features.mfcc.num_filters == 32);
  CHECK(c.features.mfcc.fft_length == 256);
  CHECK(c.features.mfcc.win_size == 101);
  CHECK(c.features.mfcc.low_frequency == 0);
  CHECK(c.features.mfcc.high_frequency == 0);
  CHECK(c.features.mfcc.pre_cof == 0.98);
  CHECK(c.features.mfcc.pre_shift == 1);
  CHECK(c.drift.bins == 10);
  CHECK(c.drift.window == 24h);
  CHECK(c.drift.evaluate_every == 5min);
  CHECK(c.drift.min_windows == 200);
  CHECK(c.drift.psi_warn == 0.1);
  CHECK(c.drift.psi_alarm == 0.25);
  CHECK(c.drift.consecutive == 3);
  CHECK(c.drift.alpha == 0.001);  // a team addition
  CHECK(c.retrain.enabled);
  CHECK_FALSE(c.retrain.dry_run);
  CHECK(c.retrain.cooldown == 24h);
  CHECK(c.retrain.max_upload_clips == 200);
  CHECK(c.retrain.label_policy == "predicted");
  CHECK(c.retrain.min_label_confidence == 0.8);
  CHECK(c.retrain.category == "training");
  CHECK(c.retrain.poll_interval == 10s);
  CHECK(c.retrain.job_timeout == 2h);
  CHECK(c.retrain.min_test_accuracy == 0.8);
  CHECK(c.retrain.test_variant == "float32");
  CHECK(c.edge_impulse.project_id == 0);
  CHECK(c.edge_impulse.api_key_env == "EI_API_KEY");
  CHECK(c.edge_impulse.studio_url == "https://studio.edgeimpulse.com");
  CHECK(c.edge_impulse.ingestion_url == "https://ingestion.edgeimpulse.com");
  CHECK(c.edge_impulse.model_version.empty());
  CHECK(c.github.repository.empty());
  CHECK(c.github.token_env == "GITHUB_TOKEN");
  CHECK(c.github.api_url == "https://api.github.com");
  CHECK(c.github.event_type == "edge-impulse-retrained");
  CHECK(c.logging.level == "info");
  CHECK(c.logging.format == "text");
}

TEST_CASE("the key table holds the keys of SPEC section 3 and the team's additions") {
  std::set<std::string> expected;
  collect_leaves(YAML::Load(spec_config_block()), "", expected);
  expected.insert(k_team_additions.begin(), k_team_additions.end());
  CHECK(expected == table_paths());
  CHECK(expected.size() == keys().size());  // no key listed twice in the table
}

TEST_CASE("the SPEC section 3 block loads to the built-in defaults") {
  ScopedEnv env;
  env.clear_config_environment();
  const LoadOutcome outcome = load_string(spec_config_block(), "SPEC.md");
  CHECK(render_yaml(outcome.config) == render_yaml(Config{}));
  // As SPEC lists them, retrain calls are live but nothing is configured for them.
  for (const auto& p : outcome.problems) {
    const bool about_live_retrain = p.message.find("retrain.dry_run is false") != std::string::npos;
    CHECK_MESSAGE(about_live_retrain, p.to_string());
  }
  CHECK(outcome.problems.size() == 4);
}

TEST_CASE("the shipped config loads without problems in an empty environment") {
  ScopedEnv env;
  env.clear_config_environment();
  const LoadOutcome outcome = load_file(shipped_config_path());
  CHECK_MESSAGE(outcome.ok(), doctest::toString(rendered(outcome).size())
                                  << " problems, first: "
                                  << (outcome.ok() ? "" : outcome.problems.front().to_string()));
  CHECK(outcome.config.source_path == shipped_config_path());
}

TEST_CASE("the shipped config lists every key with its default except retrain.dry_run") {
  ScopedEnv env;
  env.clear_config_environment();
  const std::string path = shipped_config_path();
  std::set<std::string> shipped_paths;
  collect_leaves(YAML::LoadFile(path), "", shipped_paths);
  CHECK(shipped_paths == table_paths());

  Config expected;
  expected.retrain.dry_run = true;
  const LoadOutcome outcome = load_file(path);
  CHECK(render_yaml(outcome.config) == render_yaml(expected));
  CHECK(outcome.config.server.listen.starts_with("127.0.0.1:"));
  CHECK(outcome.config.storage.database.starts_with("var/"));
}

TEST_CASE("env.example names the environment variables without values") {
  const std::string text = read_text(repo_root() + "/config/env.example");
  for (const char* name :
       {"DRIFTD_ADMIN_TOKEN=", "EI_API_KEY=", "GITHUB_TOKEN=", "DRIFTD_CONFIG="}) {
    const auto at = text.find(std::string("\n") + name);
    REQUIRE_MESSAGE(at != std::string::npos, name);
    const auto value_start = at + 1 + std::string(name).size();
    CHECK(text[value_start] == '\n');
  }
}

TEST_CASE("an empty file or one with only some sections keeps the defaults") {
  const LoadOutcome empty = load_offline("");
  CHECK(empty.ok());
  CHECK(empty.config.server.threads == 8);

  const LoadOutcome comments = load_offline("# nothing but a comment\n");
  CHECK(comments.ok());

  const LoadOutcome partial =
      load_offline("server:\n  threads: 4\ndrift:\nlogging:\n  level: debug\n");
  CHECK(partial.ok());
  CHECK(partial.config.server.threads == 4);
  CHECK(partial.config.server.listen == "127.0.0.1:8080");
  CHECK(partial.config.drift.bins == 10);
  CHECK(partial.config.logging.level == "debug");
  CHECK(partial.config.logging.format == "text");
}

TEST_CASE("values of every type are read into the config") {
  const LoadOutcome o = load_offline(
      "server:\n  listen: \"[::1]:0\"\n  max_body_bytes: 2048\n  rate_limit_per_device: 0.5\n"
      "storage:\n  clips_max_bytes: 4096\n  results_retention: 7d\n"
      "features:\n  zero_pad: false\n  mfcc:\n    pre_cof: 0\n    win_size: 0\n"
      "edge_impulse:\n  project_id: 123456\n  model_version: 1.0\n");
  CHECK_MESSAGE(o.ok(), (o.ok() ? "" : o.problems.front().to_string()));
  CHECK(o.config.server.listen == "[::1]:0");
  CHECK(o.config.server.max_body_bytes == 2048);
  CHECK(o.config.server.rate_limit_per_device == 0.5);
  CHECK(o.config.storage.clips_max_bytes == 4096);
  CHECK(o.config.storage.results_retention == 168h);
  CHECK_FALSE(o.config.features.zero_pad);
  CHECK(o.config.features.mfcc.pre_cof == 0);
  CHECK(o.config.features.mfcc.win_size == 0);
  CHECK(o.config.edge_impulse.project_id == 123456);
  CHECK(o.config.edge_impulse.model_version == "1.0");
  CHECK(o.config.retrain.dry_run);
}
