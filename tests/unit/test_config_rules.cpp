#include <doctest/doctest.h>

#include "driftd/config/derived.hpp"
#include "driftd/config/listen_address.hpp"
#include "driftd/config/loader.hpp"
#include "test_config_support.hpp"

using namespace driftd::config;
using namespace driftd::config::test;

TEST_CASE("psi_alarm below psi_warn is reported at psi_alarm's line") {
  const LoadOutcome o = load_offline("drift:\n  psi_warn: 0.1\n  psi_alarm: 0.05\n");
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].to_string() ==
        "test.yaml:3: drift.psi_alarm must be >= drift.psi_warn (0.1), got 0.05");

  const LoadOutcome equal = load_offline("drift:\n  psi_warn: 0.2\n  psi_alarm: 0.2\n");
  CHECK(equal.ok());
}

TEST_CASE("a cross-key rule falls back to the line of the key that was written") {
  // psi_alarm keeps its default 0.25; only psi_warn is in the file.
  const LoadOutcome o = load_offline("drift:\n  bins: 10\n  psi_warn: 0.3\n");
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].line == 3);
  CHECK(o.problems[0].message == "drift.psi_alarm must be >= drift.psi_warn (0.3), got 0.25");
}

TEST_CASE("a cross-key rule stays quiet when one of its values was already refused") {
  const LoadOutcome o = load_offline("drift:\n  psi_warn: lots\n  psi_alarm: 0.05\n");
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].line == 2);
}

TEST_CASE("TLS certificate and key must be set together and exist") {
  const LoadOutcome only_cert = load_offline("server:\n  tls_cert: cert.pem\n");
  CHECK(has_problem(only_cert, 2, "server.tls_key must be set too when server.tls_cert is set"));

  const LoadOutcome only_key = load_offline("server:\n  listen: 0.0.0.0:443\n  tls_key: k.pem\n");
  CHECK(has_problem(only_key, 3, "server.tls_cert must be set too when server.tls_key is set"));

  TempDir dir;
  const std::string cert = dir.write("cert.pem", "not really a certificate");
  const LoadOutcome missing_key = load_offline(
      "server:\n  tls_cert: " + cert + "\n  tls_key: " + dir.path().string() + "/absent.pem\n");
  REQUIRE(missing_key.problems.size() == 1);
  CHECK(has_problem(missing_key, 3, "absent.pem', which is not a readable file"));

  const std::string key = dir.write("key.pem", "not really a key");
  const LoadOutcome both =
      load_offline("server:\n  tls_cert: " + cert + "\n  tls_key: " + key + "\n");
  CHECK(both.ok());
}

TEST_CASE("the clip store must hold at least one maximal request body") {
  const LoadOutcome o = load_offline(
      "server:\n  max_body_bytes: 20000\nstorage:\n"
      "  clips_max_bytes: 10000\n");
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].to_string() ==
        "test.yaml:4: storage.clips_max_bytes must be >= server.max_body_bytes (20000), got 10000: "
        "a single accepted clip must fit in the clip store");
}

TEST_CASE("MFCC geometry rules: cepstra, filters, frequencies") {
  const LoadOutcome o = load_offline(
      "features:\n"
      "  mfcc:\n"
      "    num_cepstral: 40\n"  // 3: more than num_filters
      "    num_filters: 32\n"
      "    high_frequency: 9000\n");  // 5: above 8000
  CHECK(o.problems.size() == 2);
  CHECK(has_problem(
      o, 3, "features.mfcc.num_cepstral must be <= features.mfcc.num_filters (32), got 40"));
  CHECK(has_problem(o, 5,
                    "features.mfcc.high_frequency must be <= half of features.sample_rate_hz "
                    "(8000), got 9000"));

  const LoadOutcome low = load_offline("features:\n  mfcc:\n    low_frequency: 8000\n");
  CHECK(has_problem(low, 3,
                    "features.mfcc.low_frequency must be below the filterbank's upper edge "
                    "(8000 Hz), got 8000"));

  const LoadOutcome low_high = load_offline(
      "features:\n  mfcc:\n    low_frequency: 3000\n"
      "    high_frequency: 2000\n");
  CHECK(has_problem(low_high, 3, "(2000 Hz), got 3000"));

  const LoadOutcome filters = load_offline(
      "features:\n  mfcc:\n    fft_length: 32\n"
      "    num_filters: 20\n    num_cepstral: 13\n");
  CHECK(has_problem(filters, 4,
                    "features.mfcc.num_filters must be <= fft_length / 2 + 1 (17 "
                    "spectrum bins), got 20"));

  const LoadOutcome set_a = load_offline(
      "features:\n  mfcc:\n    num_cepstral: 20\n    frame_length: 0.03\n    frame_stride: 0.01\n"
      "    num_filters: 40\n    fft_length: 512\n    low_frequency: 300\n"
      "    high_frequency: 7000\n    pre_cof: 0.97\n");
  CHECK(set_a.ok());
}

TEST_CASE("frames per window follow the MFCC block and must be 1 to 500") {
  Features f;
  CHECK(frames_per_window(f) == 50);  // 16000 samples, L = S = 320
  f.mfcc.frame_length = 0.03;
  f.mfcc.frame_stride = 0.01;
  CHECK(frames_per_window(f) == 98);  // parameter set A of the MFCC reference vectors
  f.mfcc.implementation_version = 1;
  CHECK(frames_per_window(f) == 97);
  CHECK(effective_high_frequency(Features{}) == 8000);

  const LoadOutcome too_many = load_offline(
      "features:\n  window_ms: 6000\n  mfcc:\n"
      "    frame_stride: 0.01\n");
  REQUIRE(too_many.problems.size() == 1);
  CHECK(too_many.problems[0].line == 4);
  CHECK(too_many.problems[0].message ==
        "features.mfcc.frame_length (0.02 s) and frame_stride (0.01 s) give 599 frames per 6000 "
        "ms window at 16000 Hz; the MFCC block accepts 1 to 500");

  const LoadOutcome too_few = load_offline("features:\n  window_ms: 10\n");
  REQUIRE(too_few.problems.size() == 1);
  CHECK(too_few.problems[0].line == 2);
  CHECK(too_few.problems[0].message.find("give 0 frames per 10 ms window") != std::string::npos);

  const LoadOutcome sub_sample = load_offline("features:\n  mfcc:\n    frame_stride: 0.00000001\n");
  CHECK(has_problem(sub_sample, 3, "must each be at least one sample"));

  const LoadOutcome just_fits = load_offline(
      "features:\n  window_ms: 5000\n  mfcc:\n"
      "    frame_stride: 0.01\n    frame_length: 0.01\n");
  CHECK(just_fits.ok());  // exactly 500 frames
}

TEST_CASE("retrain.job_timeout must be longer than the poll interval") {
  const LoadOutcome o = load_offline(
      "retrain:\n  dry_run: true\n  poll_interval: 1m\n"
      "  job_timeout: 30s\n");
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].to_string() ==
        "test.yaml:4: retrain.job_timeout must be longer than retrain.poll_interval (1m), got 30s");
}

TEST_CASE("listen addresses: IPv4, bracketed IPv6 or a name, and a port up to 65535") {
  auto v4 = parse_listen_address("127.0.0.1:8080");
  REQUIRE(v4.ok());
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 8080);
  CHECK_FALSE(v4->is_ipv6);

  auto v6 = parse_listen_address("[::1]:0");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 0);
  CHECK(v6->is_ipv6);

  auto name = parse_listen_address("localhost:65535");
  REQUIRE(name.ok());
  CHECK(name->host == "localhost");
  CHECK(name->port == 65535);

  for (const char* bad :
       {"", "8080", ":8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
        "127.0.0.1:80x", "999.1.1.1:80", "::1:8080", "[::1]8080", "[::1:8080", "[nothost]:80",
        "bad_host:80", "-a.b:80", "a..b:80", "host name:80"}) {
    auto r = parse_listen_address(bad);
    CHECK_MESSAGE(!r.ok(), bad);
    if (!r.ok()) CHECK(r.error().message.starts_with("must be host:port"));
  }
  CHECK(parse_listen_address("::1:8080").error().message.find("in brackets") != std::string::npos);
}

TEST_CASE("the config path is the flag, else DRIFTD_CONFIG, else config/driftd.yaml") {
  CHECK(resolve_config_path(std::string("/etc/driftd.yaml"), "/env.yaml") == "/etc/driftd.yaml");
  CHECK(resolve_config_path(std::nullopt, "/env.yaml") == "/env.yaml");
  CHECK(resolve_config_path(std::nullopt, "") == "config/driftd.yaml");
  CHECK(resolve_config_path(std::nullopt, nullptr) == "config/driftd.yaml");

  ScopedEnv env;
  env.set("DRIFTD_CONFIG", "/from/env.yaml");
  CHECK(resolve_config_path(std::nullopt) == "/from/env.yaml");
  CHECK(resolve_config_path(std::string("cli.yaml")) == "cli.yaml");
  env.unset("DRIFTD_CONFIG");
  CHECK(resolve_config_path(std::nullopt) == "config/driftd.yaml");
}
