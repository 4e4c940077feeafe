#pragma once
// The daemon's configuration as an immutable value: plain structs with the defaults of
// SPEC §3. Loaded once (config/loader.hpp) and passed by const reference to the parts
// that need it. Secrets are never stored here: only the names of the environment
// variables (or systemd credentials) that hold them.

#include <chrono>
#include <cstdint>
#include <string>

namespace driftd::config {

using Duration = std::chrono::milliseconds;

struct Server {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  int threads = 8;
  std::int64_t max_body_bytes = 10 * 1024 * 1024;  // after gzip decoding too
  double rate_limit_per_device = 100;              // requests/s per device token; 0 = off
  std::string tls_cert;                            // both set: serve HTTPS
  std::string tls_key;
};

struct Storage {
  std::string database = "var/driftd.db";
  std::string clips_dir = "var/clips";
  std::int64_t clips_max_bytes = 5368709120LL;
  Duration results_retention = std::chrono::hours(24 * 30);
  // normal | full: how commits reach the disk (PRAGMA synchronous in WAL mode). normal
  // survives a killed process; full also survives power loss (docs/storage.md).
  std::string synchronous = "normal";
};

struct Auth {
  std::string admin_token_env = "DRIFTD_ADMIN_TOKEN";
};

// Edge Impulse "Audio (MFCC)" block parameters, same names as the block.
struct Mfcc {
  int implementation_version = 4;
  int num_cepstral = 13;
  double frame_length = 0.02;
  double frame_stride = 0.02;
  int num_filters = 32;
  int fft_length = 256;
  int win_size = 101;
  double low_frequency = 0;
  double high_frequency = 0;  // 0 means sample_rate / 2
  double pre_cof = 0.98;
  int pre_shift = 1;
};

struct Features {
  int sample_rate_hz = 16000;
  int window_ms = 1000;
  int window_increase_ms = 300;
  bool zero_pad = true;
  double max_clip_seconds = 60;
  Mfcc mfcc;
};

struct Drift {
  int bins = 10;
  Duration window = std::chrono::hours(24);
  Duration evaluate_every = std::chrono::minutes(5);
  std::int64_t min_windows = 200;
  double psi_warn = 0.1;
  double psi_alarm = 0.25;
  int consecutive = 3;
  double alpha = 0.001;  // family-wise significance level of a drift evaluation (docs/drift.md)
};

struct Retrain {
  bool enabled = true;
  bool dry_run = false;
  Duration cooldown = std::chrono::hours(24);
  int max_upload_clips = 200;
  std::string label_policy = "predicted";  // predicted | unlabeled
  double min_label_confidence = 0.8;
  std::string category = "training";  // training | split
  Duration poll_interval = std::chrono::seconds(10);
  Duration job_timeout = std::chrono::hours(2);
  double min_test_accuracy = 0.8;        // 0 = no quality gate
  std::string test_variant = "float32";  // float32 | int8
};

struct EdgeImpulse {
  std::int64_t project_id = 0;
  std::string api_key_env = "EI_API_KEY";
  std::string studio_url = "https://studio.edgeimpulse.com";
  std::string ingestion_url = "https://ingestion.edgeimpulse.com";
  std::string model_version;
};

struct GitHub {
  std::string repository;  // owner/name
  std::string token_env = "GITHUB_TOKEN";
  std::string api_url = "https://api.github.com";
  std::string event_type = "edge-impulse-retrained";
};

struct Logging {
  std::string level = "info";   // trace | debug | info | warn | error
  std::string format = "text";  // text | json
};

struct Config {
  Server server;
  Storage storage;
  Auth auth;
  Features features;
  Drift drift;
  Retrain retrain;
  EdgeImpulse edge_impulse;
  GitHub github;
  Logging logging;
  std::string source_path;  // the file it was loaded from; empty for built-in defaults
};

}  // namespace driftd::config
