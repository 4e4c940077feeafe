#pragma once
// Audio bytes in memory → mono samples at int16 scale. WAV (RIFF/RIFX; PCM 8/16/24/32,
// IEEE float 32/64, WAVE_FORMAT_EXTENSIBLE; any channel count) and FLAC, decoded with
// libsndfile through its virtual I/O. Pure apart from libsndfile: no file system.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "driftd/util/result.hpp"

namespace driftd::audio {

struct DecodeOptions {
  // Refuse audio longer than this (audio_too_long), checked from the header before the
  // samples are decoded whenever the header states the length. 0 or less: no limit but
  // the decoder's own, 2^27 frames (about 2.3 hours at 16 kHz).
  double max_seconds = 0;
};

struct DecodedAudio {
  // Mono samples at int16 scale: integer PCM keeps the int16 scale (8-bit values are
  // multiplied by 256, 24-bit divided by 256, 32-bit divided by 65536), float samples
  // are multiplied by 32768; several channels are averaged per frame.
  std::vector<double> samples;
  int sample_rate_hz = 0;  // as stored in the file (not resampled)
  int channels = 0;        // channels in the file, before the mixdown
  std::string container;   // "wav" or "flac"
  std::string encoding;    // "pcm_8", "pcm_16", "pcm_24", "pcm_32", "float_32", "float_64"

  double duration_seconds() const {
    return sample_rate_hz > 0 ? static_cast<double>(samples.size()) / sample_rate_hz : 0.0;
  }
};

// Decodes one clip. Never throws for bad input and never reads outside `bytes`; refuses
// with the codes of audio_errors.hpp (empty_audio, truncated_audio,
// unsupported_audio_format, malformed_audio, audio_too_long) and a message saying what
// was wrong. Float files must hold finite samples within ±1000 of full scale.
Result<DecodedAudio> decode_audio(std::span<const std::uint8_t> bytes,
                                  const DecodeOptions& options = {});

}  // namespace driftd::audio
