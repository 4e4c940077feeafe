// The clip pipeline: decode → resample → windows → MFCC (shared frames) → levels.

#include "driftd/audio/clip_analyzer.hpp"

#include <cstdio>
#include <optional>

#include "driftd/audio/audio_errors.hpp"
#include "driftd/audio/levels.hpp"
#include "driftd/audio/resample.hpp"

namespace driftd::audio {

namespace {

Error invalid(const std::string& field, const std::string& message) {
  return make_error(k_invalid_features_config, message, "features." + field);
}

std::size_t samples_for_ms(std::int64_t ms, int rate) {
  return static_cast<std::size_t>(ms * static_cast<std::int64_t>(rate) / 1000);
}

}  // namespace

std::vector<std::string> drift_feature_names(std::size_t num_cepstral) {
  std::vector<std::string> names;
  names.reserve(num_cepstral + 1);
  for (std::size_t c = 0; c < num_cepstral; ++c) names.push_back("mfcc_" + std::to_string(c));
  names.emplace_back("rms_dbfs");
  return names;
}

std::vector<double> drift_features(const WindowFeatures& window) {
  const FeatureMatrix& raw = window.mfcc_raw;
  std::vector<double> out(raw.cols + 1, 0.0);
  for (std::size_t r = 0; r < raw.rows; ++r) {
    for (std::size_t c = 0; c < raw.cols; ++c) out[c] += raw.at(r, c);
  }
  if (raw.rows > 0) {
    for (std::size_t c = 0; c < raw.cols; ++c) out[c] /= static_cast<double>(raw.rows);
  }
  out[raw.cols] = window.rms_dbfs;
  return out;
}

std::size_t window_length_samples(const config::Features& features) {
  return samples_for_ms(features.window_ms, features.sample_rate_hz);
}

Result<std::vector<std::size_t>> window_starts(std::size_t num_samples,
                                               const config::Features& features) {
  if (num_samples == 0) return make_error(k_empty_audio, "the clip holds no samples");
  const std::size_t length = window_length_samples(features);
  if (num_samples < length) {
    if (!features.zero_pad) {
      char text[160];
      std::snprintf(text, sizeof text,
                    "the clip lasts %.0f ms, shorter than one %d ms window (zero_pad is off)",
                    1000.0 * static_cast<double>(num_samples) / features.sample_rate_hz,
                    features.window_ms);
      return make_error(k_clip_too_short, text);
    }
    return std::vector<std::size_t>{0};
  }
  std::vector<std::size_t> starts;
  for (std::int64_t k = 0;; ++k) {
    const std::size_t start =
        samples_for_ms(k * features.window_increase_ms, features.sample_rate_hz);
    if (start > num_samples - length) break;
    starts.push_back(start);
  }
  return starts;
}

Result<ClipAnalyzer> ClipAnalyzer::create(const config::Features& features) {
  if (features.sample_rate_hz < k_min_sample_rate_hz ||
      features.sample_rate_hz > k_max_sample_rate_hz) {
    return invalid("sample_rate_hz", "sample_rate_hz must be between 1000 and 384000");
  }
  if (features.window_ms < 1 || features.window_ms > 3'600'000) {
    return invalid("window_ms", "window_ms must be between 1 and 3600000");
  }
  if (features.window_increase_ms < 1 || features.window_increase_ms > 3'600'000) {
    return invalid("window_increase_ms", "window_increase_ms must be between 1 and 3600000");
  }
  const std::size_t length = window_length_samples(features);
  if (length < 1) return invalid("window_ms", "window_ms gives windows of no sample");
  auto extractor = MfccExtractor::create(features.mfcc, features.sample_rate_hz, length);
  if (!extractor) return extractor.error();
  return ClipAnalyzer(features, std::move(extractor.value()));
}

std::optional<Error> ClipAnalyzer::check_duration(std::size_t samples, int rate) const {
  if (m_features.max_clip_seconds > 0 &&
      static_cast<double>(samples) > m_features.max_clip_seconds * rate) {
    char text[160];
    std::snprintf(text, sizeof text, "the clip lasts %.3g s, longer than the maximum of %.3g s",
                  static_cast<double>(samples) / rate, m_features.max_clip_seconds);
    return make_error(k_audio_too_long, text);
  }
  return std::nullopt;
}

Result<ClipFeatures> ClipAnalyzer::analyze_samples(std::span<const double> samples) const {
  if (auto error = check_duration(samples.size(), m_features.sample_rate_hz)) return *error;
  return analyze_at_rate(samples);
}

Result<ClipFeatures> ClipAnalyzer::analyze_at_rate(std::span<const double> samples) const {
  const int rate = m_features.sample_rate_hz;
  auto starts = window_starts(samples.size(), m_features);
  if (!starts) return starts.error();
  const std::size_t length = m_extractor.window_samples();

  std::vector<double> padded;
  std::span<const double> clip = samples;
  ClipFeatures out;
  out.sample_rate_hz = rate;
  out.num_samples = samples.size();
  if (samples.size() < length) {
    padded.assign(samples.begin(), samples.end());
    padded.resize(length, 0.0);
    clip = padded;
    out.zero_padded = true;
  }
  std::vector<WindowMfcc> mfcc = m_extractor.compute_windows(clip, starts.value());
  out.windows.reserve(mfcc.size());
  for (std::size_t i = 0; i < mfcc.size(); ++i) {
    WindowFeatures w;
    w.start_sample = starts.value()[i];
    w.start_ms = static_cast<std::int64_t>(i) * m_features.window_increase_ms;
    w.mfcc = std::move(mfcc[i].mfcc);
    w.mfcc_raw = std::move(mfcc[i].mfcc_raw);
    w.rms_dbfs = rms_dbfs(clip.subspan(w.start_sample, length));
    out.windows.push_back(std::move(w));
  }
  return out;
}

Result<ClipFeatures> ClipAnalyzer::analyze_audio(const DecodedAudio& audio) const {
  if (auto error = check_duration(audio.samples.size(), audio.sample_rate_hz)) return *error;
  if (audio.sample_rate_hz == m_features.sample_rate_hz) return analyze_at_rate(audio.samples);
  auto converted = resample(audio.samples, audio.sample_rate_hz, m_features.sample_rate_hz);
  if (!converted) return converted.error();
  return analyze_at_rate(converted.value());
}

Result<ClipFeatures> ClipAnalyzer::analyze_bytes(std::span<const std::uint8_t> bytes) const {
  DecodeOptions options;
  options.max_seconds = m_features.max_clip_seconds;
  auto audio = decode_audio(bytes, options);
  if (!audio) return audio.error();
  return analyze_audio(audio.value());
}

}  // namespace driftd::audio
