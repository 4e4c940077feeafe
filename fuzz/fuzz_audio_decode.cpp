// libFuzzer target: arbitrary bytes as an uploaded clip. decode_audio() must refuse
// anything it cannot decode with one of the audio module's error codes, never crash or
// read outside the buffer; what it accepts must be sane, and the clip analyzer (default
// features, the same pipeline as POST /api/v1/clips) must turn it into finite features or
// refuse it the same way. Any broken promise aborts, which libFuzzer reports as a crash.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#include "driftd/audio/audio_errors.hpp"
#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/audio/decoder.hpp"
#include "driftd/config/config.hpp"

namespace {

using namespace driftd;

// Short clips keep one execution in the milliseconds even at 384 kHz.
constexpr double k_max_seconds = 2.0;

void require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz_audio_decode: broken promise: %s\n", what);
  std::abort();
}

bool is_decode_error(std::string_view code) {
  return code == audio::k_empty_audio || code == audio::k_truncated_audio ||
         code == audio::k_unsupported_audio_format || code == audio::k_malformed_audio ||
         code == audio::k_audio_too_long;
}

bool is_analyze_error(std::string_view code) {
  return is_decode_error(code) || code == audio::k_clip_too_short ||
         code == audio::k_resample_failed;
}

const audio::ClipAnalyzer& analyzer() {
  static const audio::ClipAnalyzer k_analyzer = [] {
    config::Features features;
    features.max_clip_seconds = k_max_seconds;
    auto created = audio::ClipAnalyzer::create(features);
    require(created.ok(), "the default features make an analyzer");
    return std::move(created).value();
  }();
  return k_analyzer;
}

void check_decoded(const audio::DecodedAudio& audio) {
  require(audio.sample_rate_hz >= audio::k_min_sample_rate_hz &&
              audio.sample_rate_hz <= audio::k_max_sample_rate_hz,
          "a decoded clip has a sample rate within 1000..384000 Hz");
  require(audio.channels >= 1, "a decoded clip has at least one channel");
  require(!audio.samples.empty(), "a decoded clip has samples");
  require(audio.container == "wav" || audio.container == "flac", "the container is named");
  require(!audio.encoding.empty(), "the encoding is named");
  require(audio.duration_seconds() <= k_max_seconds + 1e-9, "max_seconds is enforced");
  for (const double s : audio.samples) {
    require(std::isfinite(s) && std::fabs(s) <= 1000.0 * 32768.0,
            "samples are finite and within ±1000 of full scale");
  }
}

void check_features(const audio::ClipFeatures& features) {
  require(!features.windows.empty(), "an analyzed clip has at least one window");
  const std::size_t width = static_cast<std::size_t>(analyzer().features().mfcc.num_cepstral) + 1;
  for (const auto& window : features.windows) {
    const auto values = audio::drift_features(window);
    require(values.size() == width, "a window has num_cepstral + 1 drift features");
    for (const double v : values) require(std::isfinite(v), "drift features are finite");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  const auto decoded = audio::decode_audio(bytes, {k_max_seconds});
  if (!decoded) {
    require(is_decode_error(decoded.error().code), "decode errors use the audio codes");
    require(!decoded.error().message.empty(), "decode errors say what was wrong");
    return 0;
  }
  check_decoded(*decoded);
  const auto features = analyzer().analyze_audio(*decoded);
  if (!features) {
    require(is_analyze_error(features.error().code), "analysis errors use the audio codes");
    return 0;
  }
  check_features(*features);
  return 0;
}
