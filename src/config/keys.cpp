// The key table: the keys of SPEC §3, plus the team's additions (drift.alpha, storage.synchronous),
// each documented in config/driftd.yaml. Each entry names its Config field by the same dotted path
// it has in the YAML file (DRIFTD_KEY stringizes the member path), so a key and its field cannot
// drift apart. The ranges here are the ones documented in config/driftd.yaml.

#include "driftd/config/keys.hpp"

#include <array>

#include "value_checks.hpp"

namespace driftd::config {

namespace {

// The key's path as text, and an accessor for the Config member of the same path.
// clang-format off
#define DRIFTD_KEY(member) .path = #member, .field = +[](Config& c) -> auto& { return c.member; }
// clang-format on

constexpr double k_ms_per_second = 1000;
constexpr double k_ms_per_hour = 3'600'000;

constexpr std::string_view k_label_policies[] = {"predicted", "unlabeled"};
constexpr std::string_view k_categories[] = {"training", "split"};
constexpr std::string_view k_test_variants[] = {"float32", "int8"};
constexpr std::string_view k_log_levels[] = {"trace", "debug", "info", "warn", "error"};
constexpr std::string_view k_log_formats[] = {"text", "json"};
constexpr std::string_view k_synchronous_modes[] = {"normal", "full"};

constexpr Bounds at_least(double min) {
  return Bounds{.min = min};
}
constexpr Bounds above(double min) {
  return Bounds{.min = min, .min_exclusive = true};
}
constexpr Bounds between(double min, double max) {
  return Bounds{.min = min, .max = max};
}

using enum ValueType;

const Key k_keys[] = {
    {DRIFTD_KEY(server.listen), .type = string, .text_check = checks::listen_address},
    {DRIFTD_KEY(server.threads), .type = integer, .bounds = between(1, 256)},
    {DRIFTD_KEY(server.max_body_bytes), .type = byte_size, .bounds = at_least(1024)},
    {DRIFTD_KEY(server.rate_limit_per_device), .type = number, .bounds = at_least(0)},
    {DRIFTD_KEY(server.tls_cert), .type = string},
    {DRIFTD_KEY(server.tls_key), .type = string},

    {DRIFTD_KEY(storage.database), .type = string, .text_check = checks::not_empty},
    {DRIFTD_KEY(storage.clips_dir), .type = string, .text_check = checks::not_empty},
    {DRIFTD_KEY(storage.clips_max_bytes), .type = byte_size, .bounds = at_least(0)},
    {DRIFTD_KEY(storage.results_retention), .type = duration, .bounds = at_least(k_ms_per_hour)},
    {DRIFTD_KEY(storage.synchronous), .type = enumeration,
     .allowed = k_synchronous_modes},  // team addition (docs/storage.md)

    {DRIFTD_KEY(auth.admin_token_env), .type = string, .text_check = checks::secret_name},

    {DRIFTD_KEY(features.sample_rate_hz), .type = integer, .bounds = between(1000, 192000)},
    {DRIFTD_KEY(features.window_ms), .type = integer, .bounds = between(1, k_ms_per_hour)},
    {DRIFTD_KEY(features.window_increase_ms), .type = integer, .bounds = between(1, k_ms_per_hour)},
    {DRIFTD_KEY(features.zero_pad), .type = boolean},
    {DRIFTD_KEY(features.max_clip_seconds), .type = number,
     .bounds = {.min = 0, .min_exclusive = true, .max = 3600}},
    {DRIFTD_KEY(features.mfcc.implementation_version), .type = integer, .bounds = between(1, 4)},
    {DRIFTD_KEY(features.mfcc.num_cepstral), .type = integer, .bounds = at_least(1)},
    {DRIFTD_KEY(features.mfcc.frame_length), .type = number, .bounds = above(0)},
    {DRIFTD_KEY(features.mfcc.frame_stride), .type = number, .bounds = above(0)},
    {DRIFTD_KEY(features.mfcc.num_filters), .type = integer, .bounds = at_least(2)},
    {DRIFTD_KEY(features.mfcc.fft_length), .type = integer, .bounds = between(16, 8192),
     .integer_check = checks::power_of_two},
    {DRIFTD_KEY(features.mfcc.win_size), .type = integer, .bounds = between(0, 1001),
     .integer_check = checks::zero_or_odd},
    {DRIFTD_KEY(features.mfcc.low_frequency), .type = number, .bounds = at_least(0)},
    {DRIFTD_KEY(features.mfcc.high_frequency), .type = number, .bounds = at_least(0)},
    {DRIFTD_KEY(features.mfcc.pre_cof), .type = number,
     .bounds = {.min = 0, .max = 1, .max_exclusive = true}},
    {DRIFTD_KEY(features.mfcc.pre_shift), .type = integer, .bounds = at_least(1)},

    {DRIFTD_KEY(drift.bins), .type = integer, .bounds = between(2, 100)},
    {DRIFTD_KEY(drift.window), .type = duration, .bounds = above(0)},
    {DRIFTD_KEY(drift.evaluate_every), .type = duration, .bounds = at_least(k_ms_per_second)},
    {DRIFTD_KEY(drift.min_windows), .type = integer, .bounds = at_least(1)},
    {DRIFTD_KEY(drift.psi_warn), .type = number, .bounds = above(0)},
    {DRIFTD_KEY(drift.psi_alarm), .type = number, .bounds = above(0)},
    {DRIFTD_KEY(drift.consecutive), .type = integer, .bounds = at_least(1)},
    {DRIFTD_KEY(drift.alpha), .type = number,
     .bounds = {.min = 0, .min_exclusive = true, .max = 0.5}},  // team addition (docs/drift.md)

    {DRIFTD_KEY(retrain.enabled), .type = boolean},
    {DRIFTD_KEY(retrain.dry_run), .type = boolean},
    {DRIFTD_KEY(retrain.cooldown), .type = duration, .bounds = at_least(0)},
    {DRIFTD_KEY(retrain.max_upload_clips), .type = integer, .bounds = between(1, 1000)},
    {DRIFTD_KEY(retrain.label_policy), .type = enumeration, .allowed = k_label_policies},
    {DRIFTD_KEY(retrain.min_label_confidence), .type = number, .bounds = between(0, 1)},
    {DRIFTD_KEY(retrain.category), .type = enumeration, .allowed = k_categories,
     .text_check = checks::upload_category},
    {DRIFTD_KEY(retrain.poll_interval), .type = duration, .bounds = at_least(100)},
    {DRIFTD_KEY(retrain.job_timeout), .type = duration, .bounds = above(0)},
    {DRIFTD_KEY(retrain.min_test_accuracy), .type = number, .bounds = between(0, 1)},
    {DRIFTD_KEY(retrain.test_variant), .type = enumeration, .allowed = k_test_variants},

    {DRIFTD_KEY(edge_impulse.project_id), .type = integer, .bounds = at_least(0)},
    {DRIFTD_KEY(edge_impulse.api_key_env), .type = string, .text_check = checks::secret_name},
    {DRIFTD_KEY(edge_impulse.studio_url), .type = string, .text_check = checks::http_url},
    {DRIFTD_KEY(edge_impulse.ingestion_url), .type = string, .text_check = checks::http_url},
    {DRIFTD_KEY(edge_impulse.model_version), .type = string},

    {DRIFTD_KEY(github.repository), .type = string, .text_check = checks::github_repository},
    {DRIFTD_KEY(github.token_env), .type = string, .text_check = checks::secret_name},
    {DRIFTD_KEY(github.api_url), .type = string, .text_check = checks::http_url},
    {DRIFTD_KEY(github.event_type), .type = string, .text_check = checks::event_type},

    {DRIFTD_KEY(logging.level), .type = enumeration, .allowed = k_log_levels},
    {DRIFTD_KEY(logging.format), .type = enumeration, .allowed = k_log_formats},
};

#undef DRIFTD_KEY

}  // namespace

std::span<const Key> keys() {
  return k_keys;
}

const Key* find_key(std::string_view path) {
  for (const Key& key : k_keys) {
    if (key.path == path) return &key;
  }
  return nullptr;
}

bool is_section(std::string_view path) {
  for (const Key& key : k_keys) {
    if (key.path.size() > path.size() && key.path.starts_with(path) &&
        key.path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

}  // namespace driftd::config
