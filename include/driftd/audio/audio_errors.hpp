#pragma once
// The error codes of the audio module (driftd::Error::code). The API maps
// unsupported_audio_format to 415, audio_too_long to 413 and every other code here to 400.

namespace driftd::audio {

// No bytes, or a well-formed file that holds no sample.
inline constexpr const char* k_empty_audio = "empty_audio";
// The file ends before its own header says it should (cut header, lying data size).
inline constexpr const char* k_truncated_audio = "truncated_audio";
// Not a container or encoding driftd decodes (unknown magic, ADPCM, 12-bit PCM, ...).
inline constexpr const char* k_unsupported_audio_format = "unsupported_audio_format";
// A recognised container whose header is inconsistent or impossible (zero channels, a
// sample rate outside 1000..384000 Hz, no data chunk, non-finite float samples, ...).
inline constexpr const char* k_malformed_audio = "malformed_audio";
// Longer than the configured maximum (features.max_clip_seconds).
inline constexpr const char* k_audio_too_long = "audio_too_long";
// Shorter than one window while features.zero_pad is false.
inline constexpr const char* k_clip_too_short = "clip_too_short";
// The features/MFCC parameters cannot be used (field names the offending key).
inline constexpr const char* k_invalid_features_config = "invalid_features_config";
// libsamplerate refused the conversion.
inline constexpr const char* k_resample_failed = "resample_failed";

// Sample rates driftd accepts, in a file and in the configuration.
inline constexpr int k_min_sample_rate_hz = 1000;
inline constexpr int k_max_sample_rate_hz = 384000;

}  // namespace driftd::audio
