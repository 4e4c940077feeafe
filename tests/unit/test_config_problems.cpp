#include <doctest/doctest.h>

#include <algorithm>

#include "driftd/config/loader.hpp"
#include "test_config_support.hpp"

using namespace driftd::config;
using namespace driftd::config::test;
using namespace std::chrono_literals;

TEST_CASE("a problem prints as FILE:LINE: message, or FILE: message without a line") {
  CHECK(Problem{"a.yaml", 3, "x is wrong"}.to_string() == "a.yaml:3: x is wrong");
  CHECK(Problem{"a.yaml", 0, "cannot read: gone"}.to_string() == "a.yaml: cannot read: gone");
}

TEST_CASE("a missing file is one problem without a line") {
  const LoadOutcome o = load_file("/nonexistent/driftd.yaml");
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].to_string() ==
        "/nonexistent/driftd.yaml: cannot read: No such file or directory");
  CHECK(o.config.server.threads == 8);
}

TEST_CASE("a directory given as the config file cannot be read") {
  TempDir dir;
  const LoadOutcome o = load_file(dir.path().string());
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].message == "cannot read: it is a directory");
}

TEST_CASE("a YAML syntax error is one problem at its line") {
  const LoadOutcome o = load("server:\n  threads: 4\n  listen: [1,\n");
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].line == 4);
  CHECK(o.problems[0].message.starts_with("YAML syntax error: "));

  const LoadOutcome tab = load("server:\n\tthreads: 4\n");
  REQUIRE(tab.problems.size() == 1);
  CHECK(tab.problems[0].line == 2);
}

TEST_CASE("a file with two YAML documents is refused") {
  const LoadOutcome o = load("server:\n  threads: 4\n---\nserver:\n  threads: 5\n");
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].message.find("one YAML document") != std::string::npos);
}

TEST_CASE("a file that is not a mapping of sections is refused") {
  const LoadOutcome o = load("- server\n- drift\n");
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].line == 1);
  CHECK(o.problems[0].message.find("must hold sections") != std::string::npos);
}

TEST_CASE("unknown keys are reported at any depth with a hint") {
  const LoadOutcome o = load_offline(
      "server:\n"
      "  thread: 4\n"  // 2: typo
      "features:\n"
      "  mfcc:\n"
      "    num_cepstrals: 13\n"  // 5: typo, nested
      "    nonsense_key: 1\n"    // 6: nothing close
      "servr:\n"                 // 7: unknown section
      "  threads: 4\n"
      "drift:\n"
      "  threads: 2\n");  // 10: belongs elsewhere
  CHECK(o.problems.size() == 5);
  CHECK(has_problem(o, 2, "unknown key server.thread (did you mean server.threads?)"));
  CHECK(has_problem(o, 5,
                    "unknown key features.mfcc.num_cepstrals (did you mean "
                    "features.mfcc.num_cepstral?)"));
  CHECK(has_problem(o, 6,
                    "unknown key features.mfcc.nonsense_key (the keys of features.mfcc "
                    "are implementation_version, num_cepstral"));
  CHECK(has_problem(o, 7, "unknown key servr (did you mean server?)"));
  CHECK(has_problem(o, 10, "did you mean server.threads? it belongs in section server"));
}

TEST_CASE("dotted key names and duplicate keys are refused") {
  const LoadOutcome o =
      load_offline("server.threads: 4\nlogging:\n  level: info\n  level: debug\n");
  CHECK(o.problems.size() == 2);
  CHECK(has_problem(o, 1, "write sections nested"));
  CHECK(has_problem(o, 4, "logging.level is set twice (first on line 3)"));
  CHECK(o.config.server.threads == 8);
}

TEST_CASE("values of the wrong type are reported at their line and keep the default") {
  const LoadOutcome o = load_offline(
      "server:\n"
      "  threads: many\n"         // 2
      "  max_body_bytes: 10MB\n"  // 3
      "  listen:\n"               // 4: a section where a value belongs
      "    host: x\n"
      "features:\n"
      "  zero_pad: yes\n"              // 7
      "  sample_rate_hz: \"16000\"\n"  // 8: quoted number
      "  max_clip_seconds: .inf\n"     // 9
      "  mfcc: 5\n"                    // 10: a value where a section belongs
      "drift:\n"
      "  bins: 2.5\n"        // 12
      "  psi_warn: [0.1]\n"  // 13
      "  consecutive:\n");   // 14: empty
  CHECK(o.problems.size() == 10);
  CHECK(has_problem(o, 2, "server.threads must be a whole number, got 'many'"));
  CHECK(has_problem(o, 3, "server.max_body_bytes must be a whole number of bytes, got '10MB'"));
  CHECK(has_problem(o, 4, "server.listen must be a single text value, got a section of keys"));
  CHECK(has_problem(o, 7, "features.zero_pad must be true or false, got 'yes'"));
  CHECK(has_problem(o, 8,
                    "features.sample_rate_hz must be a whole number, got the quoted text "
                    "'16000' (remove the quotes)"));
  CHECK(has_problem(o, 9, "features.max_clip_seconds must be a number, got '.inf'"));
  CHECK(has_problem(o, 10, "features.mfcc must be a section of keys"));
  CHECK(has_problem(o, 12, "drift.bins must be a whole number, got '2.5'"));
  CHECK(has_problem(o, 13, "drift.psi_warn must be a number, got a list"));
  CHECK(has_problem(o, 14, "drift.consecutive must be a whole number, got nothing"));
  CHECK(o.config.server.threads == 8);
  CHECK(o.config.features.sample_rate_hz == 16000);
  CHECK(o.config.drift.bins == 10);
}

TEST_CASE("out-of-range values name the accepted range and what was given") {
  const LoadOutcome o = load_offline(
      "server:\n"
      "  threads: 0\n"                 // 2
      "  max_body_bytes: 100\n"        // 3
      "  rate_limit_per_device: -1\n"  // 4
      "features:\n"
      "  sample_rate_hz: 500\n"  // 6
      "  mfcc:\n"
      "    implementation_version: 5\n"  // 8
      "    fft_length: 300\n"            // 9
      "    win_size: 100\n"              // 10
      "    pre_cof: 1\n"                 // 11
      "drift:\n"
      "  bins: 101\n"    // 13
      "  psi_warn: 0\n"  // 14
      "retrain:\n"
      "  dry_run: true\n"
      "  max_upload_clips: 1001\n"     // 17
      "  min_label_confidence: 1.5\n"  // 18
      "  min_test_accuracy: -0.1\n"    // 19
      "edge_impulse:\n"
      "  project_id: -4\n");  // 21
  CHECK(o.problems.size() == 14);
  CHECK(has_problem(o, 2, "server.threads must be between 1 and 256, got 0"));
  CHECK(has_problem(o, 3, "server.max_body_bytes must be >= 1024, got 100"));
  CHECK(has_problem(o, 4, "server.rate_limit_per_device must be >= 0, got -1"));
  CHECK(has_problem(o, 6, "features.sample_rate_hz must be between 1000 and 192000, got 500"));
  CHECK(has_problem(o, 8, "features.mfcc.implementation_version must be between 1 and 4, got 5"));
  CHECK(has_problem(o, 9, "features.mfcc.fft_length must be a power of two"));
  CHECK(has_problem(o, 10,
                    "features.mfcc.win_size must be 0 (normalization off) or an odd "
                    "number, got 100"));
  CHECK(has_problem(o, 11, "features.mfcc.pre_cof must be >= 0 and < 1, got 1"));
  CHECK(has_problem(o, 13, "drift.bins must be between 2 and 100, got 101"));
  CHECK(has_problem(o, 14, "drift.psi_warn must be > 0, got 0"));
  CHECK(has_problem(o, 17, "retrain.max_upload_clips must be between 1 and 1000, got 1001"));
  CHECK(has_problem(o, 18, "retrain.min_label_confidence must be between 0 and 1, got 1.5"));
  CHECK(has_problem(o, 19, "retrain.min_test_accuracy must be between 0 and 1, got -0.1"));
  CHECK(has_problem(o, 21, "edge_impulse.project_id must be >= 0, got -4"));
}

TEST_CASE("several problems in one file are all reported, sorted by line") {
  const LoadOutcome o = load(
      "logging:\n  level: loud\n  format: xml\nserver:\n  threads: -1\n  bogus: 1\n"
      "drift:\n  window: 1 day\n");
  // 5 from the file, 4 because retrain calls are live by default and nothing is set up.
  REQUIRE(o.problems.size() >= 5);
  std::vector<int> lines;
  for (const auto& p : o.problems) lines.push_back(p.line);
  CHECK(std::is_sorted(lines.begin(), lines.end()));
  CHECK(count_problems(o, 2, "logging.level") == 1);
  CHECK(count_problems(o, 3, "logging.format") == 1);
  CHECK(count_problems(o, 5, "server.threads") == 1);
  CHECK(count_problems(o, 6, "unknown key server.bogus") == 1);
  CHECK(count_problems(o, 8, "drift.window") == 1);
}

TEST_CASE("durations are read in every unit and bad ones say why") {
  const LoadOutcome good = load_offline(
      "drift:\n  window: 36h\n  evaluate_every: 90s\nretrain:\n  dry_run: true\n"
      "  poll_interval: 500ms\n  cooldown: 0s\n  job_timeout: 1.5h\n"
      "storage:\n  results_retention: 7d\n");
  CHECK_MESSAGE(good.ok(), (good.ok() ? "" : good.problems.front().to_string()));
  CHECK(good.config.drift.window == 36h);
  CHECK(good.config.drift.evaluate_every == 90s);
  CHECK(good.config.retrain.poll_interval == 500ms);
  CHECK(good.config.retrain.cooldown == 0s);
  CHECK(good.config.retrain.job_timeout == 90min);
  CHECK(good.config.storage.results_retention == 168h);

  const LoadOutcome bad = load_offline(
      "drift:\n  window: 86400\n  evaluate_every: 500ms\n  min_windows: 5\n"
      "retrain:\n  dry_run: true\n  poll_interval: 50ms\n  cooldown: -1h\n  job_timeout:\n"
      "storage:\n  results_retention: 10m\n");
  CHECK(bad.problems.size() == 6);
  CHECK(has_problem(bad, 2,
                    "drift.window is not a valid duration: '86400' is not a duration: "
                    "the unit is missing"));
  CHECK(has_problem(bad, 3, "drift.evaluate_every must be >= 1s, got 500ms"));
  CHECK(has_problem(bad, 7, "retrain.poll_interval must be >= 100ms, got 50ms"));
  CHECK(has_problem(bad, 8, "retrain.cooldown is not a valid duration"));
  CHECK(has_problem(bad, 9,
                    "retrain.job_timeout must be a duration (e.g. 500ms, 30s, 5m, 24h, "
                    "7d), got nothing"));
  CHECK(has_problem(bad, 11, "storage.results_retention must be >= 1h, got 10m"));
  CHECK(bad.config.drift.window == 24h);
}

TEST_CASE("enumerations accept only their values and list them") {
  const LoadOutcome good = load_offline(
      "retrain:\n  dry_run: true\n  label_policy: unlabeled\n  category: split\n"
      "  test_variant: int8\nlogging:\n  level: trace\n  format: json\n");
  CHECK(good.ok());
  CHECK(good.config.retrain.label_policy == "unlabeled");
  CHECK(good.config.retrain.category == "split");
  CHECK(good.config.retrain.test_variant == "int8");
  CHECK(good.config.logging.level == "trace");
  CHECK(good.config.logging.format == "json");

  const LoadOutcome bad = load_offline(
      "retrain:\n  dry_run: true\n  label_policy: guessed\n  category: testing\n"
      "  test_variant: float16\nlogging:\n  level: INFO\n  format:\n");
  CHECK(bad.problems.size() == 5);
  CHECK(has_problem(bad, 3,
                    "retrain.label_policy must be one of predicted, unlabeled, got "
                    "'guessed'"));
  CHECK(has_problem(bad, 4,
                    "retrain.category must not be 'testing': drifted clips in the test "
                    "set would pollute the held-out set"));
  CHECK(has_problem(bad, 5, "retrain.test_variant must be one of float32, int8, got 'float16'"));
  CHECK(has_problem(bad, 7,
                    "logging.level must be one of trace, debug, info, warn, error, got "
                    "'INFO'"));
  CHECK(has_problem(bad, 8, "logging.format must be one of text, json, got nothing"));
  CHECK(bad.config.retrain.category == "training");
}

TEST_CASE("text values are checked: listen address, URLs, repository, names") {
  const LoadOutcome o = load_offline(
      "server:\n"
      "  listen: 8080\n"  // 2: no host
      "storage:\n"
      "  database: \"\"\n"  // 4
      "auth:\n"
      "  admin_token_env: \"MY TOKEN\"\n"  // 6
      "edge_impulse:\n"
      "  studio_url: ftp://studio.edgeimpulse.com\n"  // 8
      "  ingestion_url: https://\n"                   // 9
      "github:\n"
      "  repository: just-a-name\n"  // 11
      "  api_url: api.github.com\n"  // 12
      "  event_type: \"\"\n");       // 13
  CHECK(o.problems.size() == 8);
  CHECK(has_problem(o, 2, "server.listen must be host:port"));
  CHECK(has_problem(o, 4, "storage.database must not be empty"));
  CHECK(has_problem(o, 6, "auth.admin_token_env must be the name of an environment variable"));
  CHECK(has_problem(o, 8, "edge_impulse.studio_url must start with http:// or https://"));
  CHECK(has_problem(o, 9, "edge_impulse.ingestion_url has no host name"));
  CHECK(has_problem(o, 11, "github.repository must be empty or owner/name"));
  CHECK(has_problem(o, 12, "github.api_url must start with http:// or https://"));
  CHECK(has_problem(o, 13, "github.event_type must be 1 to 100 characters"));
}

TEST_CASE("a null value for a text key means empty") {
  const LoadOutcome o = load_offline(
      "server:\n  tls_cert:\n  tls_key: ~\nedge_impulse:\n"
      "  model_version: null\n");
  CHECK(o.ok());
  CHECK(o.config.server.tls_cert.empty());
  CHECK(o.config.edge_impulse.model_version.empty());
}

TEST_CASE("a problem about an aliased value points at the key, not the anchor") {
  const LoadOutcome o = load_offline("drift:\n  bins: &n 0\n  consecutive: *n\n");
  CHECK(has_problem(o, 2, "drift.bins must be between 2 and 100, got 0"));
  CHECK(o.ok() == false);
  CHECK(count_problems(o, 3, "drift.consecutive must be >= 1, got 0") == 1);
}

TEST_CASE("the drift significance level must be a probability of at most one half") {
  CHECK(load_offline("drift:\n  alpha: 0.05\n").ok());
  CHECK(has_problem(load_offline("drift:\n  alpha: 0.6\n"), 2,
                    "drift.alpha must be > 0 and <= 0.5, got 0.6"));
  CHECK(has_problem(load_offline("drift:\n  alpha: 0\n"), 2, "drift.alpha must be > 0"));
}
