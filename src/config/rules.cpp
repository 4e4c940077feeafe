#include "rules.hpp"

#include <initializer_list>
#include <string_view>

#include "driftd/config/derived.hpp"
#include "driftd/util/duration.hpp"
#include "wording.hpp"

namespace driftd::config {

namespace {

constexpr std::int64_t k_max_frames_per_window = 500;  // the MFCC block refuses more

constexpr std::string_view k_retrain_live =
    " (needed because retrain.enabled is true and retrain.dry_run is false; set "
    "retrain.dry_run: true to run without calling Edge Impulse or GitHub)";

class Rules {
 public:
  Rules(const SourceLines& lines, const std::string& file, std::vector<Problem>& problems)
      : m_lines(lines), m_file(file), m_problems(problems) {}

  // True when none of the keys had its value refused.
  bool usable(std::initializer_list<std::string_view> paths) const {
    for (std::string_view path : paths) {
      if (m_lines.invalid(path)) return false;
    }
    return true;
  }

  // Reports at the line of the first of `paths` written in the file (else its section).
  void report(std::initializer_list<std::string_view> paths, std::string message) {
    int line = m_lines.line_of(*paths.begin());
    for (std::string_view path : paths) {
      if (m_lines.present(path)) {
        line = m_lines.line_of(path);
        break;
      }
    }
    m_problems.push_back(Problem{m_file, line, std::move(message)});
  }

 private:
  const SourceLines& m_lines;
  const std::string& m_file;
  std::vector<Problem>& m_problems;
};

void check_tls_pair(const Server& s, Rules& rules) {
  if (!rules.usable({"server.tls_cert", "server.tls_key"})) return;
  if (!s.tls_cert.empty() && s.tls_key.empty()) {
    rules.report({"server.tls_key", "server.tls_cert"},
                 "server.tls_key must be set too when server.tls_cert is set (HTTPS needs "
                 "both; leave both empty for plain HTTP)");
  } else if (s.tls_cert.empty() && !s.tls_key.empty()) {
    rules.report({"server.tls_cert", "server.tls_key"},
                 "server.tls_cert must be set too when server.tls_key is set (HTTPS needs "
                 "both; leave both empty for plain HTTP)");
  }
}

void check_clip_budget(const Config& c, Rules& rules) {
  if (!rules.usable({"storage.clips_max_bytes", "server.max_body_bytes"})) return;
  if (c.storage.clips_max_bytes < c.server.max_body_bytes) {
    rules.report({"storage.clips_max_bytes", "server.max_body_bytes"},
                 "storage.clips_max_bytes must be >= server.max_body_bytes (" +
                     std::to_string(c.server.max_body_bytes) + "), got " +
                     std::to_string(c.storage.clips_max_bytes) +
                     ": a single accepted clip must fit in the clip store");
  }
}

void check_mfcc_filters(const Features& f, Rules& rules) {
  const Mfcc& m = f.mfcc;
  if (rules.usable({"features.mfcc.num_cepstral", "features.mfcc.num_filters"}) &&
      m.num_cepstral > m.num_filters) {
    rules.report({"features.mfcc.num_cepstral", "features.mfcc.num_filters"},
                 "features.mfcc.num_cepstral must be <= features.mfcc.num_filters (" +
                     std::to_string(m.num_filters) + "), got " + std::to_string(m.num_cepstral));
  }
  const int spectrum_bins = m.fft_length / 2 + 1;
  if (rules.usable({"features.mfcc.num_filters", "features.mfcc.fft_length"}) &&
      m.num_filters > spectrum_bins) {
    rules.report({"features.mfcc.num_filters", "features.mfcc.fft_length"},
                 "features.mfcc.num_filters must be <= fft_length / 2 + 1 (" +
                     std::to_string(spectrum_bins) + " spectrum bins), got " +
                     std::to_string(m.num_filters));
  }
}

void check_mfcc_frequencies(const Features& f, Rules& rules) {
  if (!rules.usable({"features.sample_rate_hz", "features.mfcc.low_frequency",
                     "features.mfcc.high_frequency"})) {
    return;
  }
  const double nyquist = f.sample_rate_hz / 2.0;
  if (f.mfcc.high_frequency > nyquist) {
    rules.report({"features.mfcc.high_frequency"},
                 "features.mfcc.high_frequency must be <= half of features.sample_rate_hz (" +
                     format_number(nyquist) + "), got " + format_number(f.mfcc.high_frequency) +
                     " (0 means " + format_number(nyquist) + ")");
    return;
  }
  const double high = effective_high_frequency(f);
  if (f.mfcc.low_frequency >= high) {
    rules.report({"features.mfcc.low_frequency", "features.mfcc.high_frequency"},
                 "features.mfcc.low_frequency must be below the filterbank's upper edge (" +
                     format_number(high) + " Hz), got " + format_number(f.mfcc.low_frequency));
  }
}

void check_frames_per_window(const Features& f, Rules& rules) {
  if (!rules.usable({"features.sample_rate_hz", "features.window_ms",
                     "features.mfcc.implementation_version", "features.mfcc.frame_length",
                     "features.mfcc.frame_stride"})) {
    return;
  }
  const auto report = [&rules](std::string message) {
    rules.report({"features.mfcc.frame_stride", "features.mfcc.frame_length", "features.window_ms"},
                 std::move(message));
  };
  const std::string rate = std::to_string(f.sample_rate_hz) + " Hz";
  if (frame_stride_samples(f) < 1 || frame_length_samples(f) < 1) {
    report(
        "features.mfcc.frame_length and frame_stride must each be at least one "
        "sample (1/" +
        rate + ")");
    return;
  }
  const std::int64_t frames = frames_per_window(f);
  if (frames < 1 || frames > k_max_frames_per_window) {
    report("features.mfcc.frame_length (" + format_number(f.mfcc.frame_length) +
           " s) and frame_stride (" + format_number(f.mfcc.frame_stride) + " s) give " +
           std::to_string(frames) + " frames per " + std::to_string(f.window_ms) +
           " ms window at " + rate + "; the MFCC block accepts 1 to " +
           std::to_string(k_max_frames_per_window));
  }
}

void check_psi_thresholds(const Drift& d, Rules& rules) {
  if (!rules.usable({"drift.psi_warn", "drift.psi_alarm"})) return;
  if (d.psi_alarm < d.psi_warn) {
    rules.report({"drift.psi_alarm", "drift.psi_warn"},
                 "drift.psi_alarm must be >= drift.psi_warn (" + format_number(d.psi_warn) +
                     "), got " + format_number(d.psi_alarm));
  }
}

void check_retrain_timing(const Retrain& r, Rules& rules) {
  if (!rules.usable({"retrain.job_timeout", "retrain.poll_interval"})) return;
  if (r.job_timeout <= r.poll_interval) {
    rules.report({"retrain.job_timeout", "retrain.poll_interval"},
                 "retrain.job_timeout must be longer than retrain.poll_interval (" +
                     util::format_duration(r.poll_interval) + "), got " +
                     util::format_duration(r.job_timeout));
  }
}

void check_tls_file(const std::string& path, std::string_view key, const Outside& outside,
                    Rules& rules) {
  if (path.empty() || !rules.usable({key}) || outside.file_readable(path)) return;
  rules.report({key}, std::string(key) + " names " + quote(path) +
                          ", which is not a readable file (relative paths are taken from the "
                          "working directory)");
}

void check_secret(const std::string& name, std::string_view key, std::string_view what,
                  const Outside& outside, Rules& rules) {
  if (!rules.usable({key})) return;
  if (name.empty()) {
    rules.report({key}, std::string(key) +
                            " must name the environment variable or credential "
                            "that holds " +
                            std::string(what) + std::string(k_retrain_live));
    return;
  }
  if (outside.secret_present(name)) return;
  rules.report({key}, std::string(key) + " names " + name +
                          ", but neither the environment variable nor a credential of that "
                          "name is set" +
                          std::string(k_retrain_live));
}

}  // namespace

void check_cross_key_rules(const Config& config, const SourceLines& lines, const std::string& file,
                           std::vector<Problem>& problems) {
  Rules rules(lines, file, problems);
  check_tls_pair(config.server, rules);
  check_clip_budget(config, rules);
  check_mfcc_filters(config.features, rules);
  check_mfcc_frequencies(config.features, rules);
  check_frames_per_window(config.features, rules);
  check_psi_thresholds(config.drift, rules);
  check_retrain_timing(config.retrain, rules);
}

void check_outside(const Config& config, const SourceLines& lines, const Outside& outside,
                   const std::string& file, std::vector<Problem>& problems) {
  Rules rules(lines, file, problems);
  check_tls_file(config.server.tls_cert, "server.tls_cert", outside, rules);
  check_tls_file(config.server.tls_key, "server.tls_key", outside, rules);

  const Retrain& r = config.retrain;
  if (!r.enabled || r.dry_run || !rules.usable({"retrain.enabled", "retrain.dry_run"})) return;
  if (rules.usable({"edge_impulse.project_id"}) && config.edge_impulse.project_id <= 0) {
    rules.report({"edge_impulse.project_id"},
                 "edge_impulse.project_id must be set to the Edge Impulse project's id" +
                     std::string(k_retrain_live));
  }
  if (rules.usable({"github.repository"}) && config.github.repository.empty()) {
    rules.report({"github.repository"},
                 "github.repository must be set to owner/name of the firmware repository" +
                     std::string(k_retrain_live));
  }
  check_secret(config.edge_impulse.api_key_env, "edge_impulse.api_key_env",
               "the Edge Impulse API key", outside, rules);
  check_secret(config.github.token_env, "github.token_env", "the GitHub token", outside, rules);
}

}  // namespace driftd::config
