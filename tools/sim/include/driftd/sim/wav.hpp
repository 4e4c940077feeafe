#pragma once
// Quantizing simulated audio to 16-bit PCM and writing it as a WAV file in memory (the
// canonical 44-byte RIFF header, mono, little-endian): what a device would upload.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace driftd::sim {

// Rounds int16-scale samples to the nearest integer and clips them to [−32768, 32767]
// (a non-finite sample becomes 0).
std::vector<std::int16_t> to_pcm16(std::span<const double> samples);

// A mono 16-bit PCM WAV of `samples` at `sample_rate_hz`, as bytes.
std::string encode_wav(std::span<const std::int16_t> samples, int sample_rate_hz);

}  // namespace driftd::sim
