#pragma once
// Audio inputs for the audio tests: files encoded in memory with libsndfile, hand-built
// WAV headers for malformed cases, and deterministic test signals.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace driftd::test {

// Encodes `frames` (interleaved, `channels` per frame, int16 scale: integer formats are
// written exactly for values that the format can hold) with libsndfile into a buffer.
// `format` is a libsndfile SF_FORMAT_* combination. Throws std::runtime_error on failure.
std::vector<std::uint8_t> encode_audio(const std::vector<double>& frames, int channels,
                                       int sample_rate_hz, int format);

// A canonical 44-byte-header PCM WAV built by hand (little-endian RIFF).
std::vector<std::uint8_t> make_wav(const std::vector<std::int16_t>& samples, int sample_rate_hz,
                                   int channels = 1);

// Reads a whole file; throws std::runtime_error when it cannot.
std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path);

// Writes little-endian integers into `bytes` at `at`.
void put_u16(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint16_t value);
void put_u32(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint32_t value);

// amplitude · sin(2π·hz·n/rate), n = 0..count-1, rounded to integers.
std::vector<double> tone(double hz, double amplitude, int rate, std::size_t count);

// The folder of the shared MFCC reference vectors.
std::filesystem::path mfcc_testdata_dir();

}  // namespace driftd::test
