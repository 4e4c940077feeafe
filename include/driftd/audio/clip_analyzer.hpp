#pragma once
// A clip → its feature windows (SPEC §5): decode, resample to features.sample_rate_hz,
// cut into windows, MFCC and level per window, and the per-window drift feature vector
// (SPEC §6). The one entry point for clip ingest, baseline import, compare and
// `driftd features`. Pure: bytes or samples in, values out.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "driftd/audio/decoder.hpp"
#include "driftd/audio/feature_matrix.hpp"
#include "driftd/audio/mfcc.hpp"
#include "driftd/config/config.hpp"
#include "driftd/util/result.hpp"

namespace driftd::audio {

struct WindowFeatures {
  std::int64_t start_ms = 0;     // k · window_increase_ms
  std::size_t start_sample = 0;  // at features.sample_rate_hz
  FeatureMatrix mfcc;            // frames × num_cepstral, after CMVN (the block's output)
  FeatureMatrix mfcc_raw;        // frames × num_cepstral, before CMVN
  double rms_dbfs = 0;           // over the window's samples, padding included
};

struct ClipFeatures {
  int sample_rate_hz = 0;       // the rate the features were computed at
  std::size_t num_samples = 0;  // clip length at that rate, before any padding
  bool zero_padded = false;     // the clip was shorter than one window and padded
  std::vector<WindowFeatures> windows;
};

// Names of the drift features of a window: mfcc_0 … mfcc_{n-1}, rms_dbfs.
std::vector<std::string> drift_feature_names(std::size_t num_cepstral);

// The drift features of a window (SPEC §6 sampling unit): for each coefficient the mean
// of mfcc_raw over the window's frames, then rms_dbfs; num_cepstral + 1 values in the
// order of drift_feature_names().
std::vector<double> drift_features(const WindowFeatures& window);

// Where the windows of a clip of `num_samples` start: window k at
// floor(k·window_increase_ms·rate/1000), k = 0, 1, …, while a whole window fits. A clip
// shorter than one window gives one window at 0 when zero_pad (the caller pads), else
// clip_too_short; no samples gives empty_audio.
Result<std::vector<std::size_t>> window_starts(std::size_t num_samples,
                                               const config::Features& features);

// Samples in one window at features.sample_rate_hz: floor(window_ms · rate / 1000).
std::size_t window_length_samples(const config::Features& features);

class ClipAnalyzer {
 public:
  // Validates `features` (rate 1000..384000 Hz, window_ms and window_increase_ms ≥ 1,
  // the MFCC parameters: see MfccExtractor::create) and plans the MFCC once. Errors have
  // code invalid_features_config and a `field`.
  static Result<ClipAnalyzer> create(const config::Features& features);

  const config::Features& features() const { return m_features; }
  const MfccExtractor& extractor() const { return m_extractor; }

  // Features of mono int16-scale samples already at features.sample_rate_hz. Refuses
  // empty_audio, clip_too_short (zero_pad false) and audio_too_long (over
  // max_clip_seconds, when that is > 0).
  Result<ClipFeatures> analyze_samples(std::span<const double> samples) const;

  // Checks max_clip_seconds on `audio` as decoded, resamples it to
  // features.sample_rate_hz when its rate differs, then cuts and analyzes it as
  // analyze_samples() does. Also refuses resample_failed.
  Result<ClipFeatures> analyze_audio(const DecodedAudio& audio) const;

  // decode_audio() with max_seconds = max_clip_seconds, then analyze_audio().
  Result<ClipFeatures> analyze_bytes(std::span<const std::uint8_t> bytes) const;

 private:
  ClipAnalyzer(const config::Features& features, MfccExtractor extractor)
      : m_features(features), m_extractor(std::move(extractor)) {}
  std::optional<Error> check_duration(std::size_t samples, int rate) const;
  Result<ClipFeatures> analyze_at_rate(std::span<const double> samples) const;

  config::Features m_features;
  MfccExtractor m_extractor;
};

}  // namespace driftd::audio
