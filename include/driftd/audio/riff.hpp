#pragma once
// Structural checks of WAV (RIFF/RIFX) files done before libsndfile sees them: libsndfile
// accepts files whose data chunk claims more bytes than exist and header-only files, and
// the contract refuses both. Pure: works on bytes in memory.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "driftd/util/result.hpp"

namespace driftd::audio {

// Which container a byte buffer starts with.
enum class Container { wav, flac, unknown };

// Looks at the magic only: "RIFF"/"RIFX" (+"WAVE" when present) → wav, "fLaC" → flac.
Container sniff_container(std::span<const std::uint8_t> bytes);

// What the RIFF walk found, after every check passed.
struct WavLayout {
  bool big_endian = false;  // RIFX
  int format_tag = 0;       // 1 = integer PCM, 3 = IEEE float (EXTENSIBLE resolved)
  bool extensible = false;  // the fmt chunk was WAVE_FORMAT_EXTENSIBLE
  int channels = 0;
  int sample_rate_hz = 0;
  int bits_per_sample = 0;  // container bits: 8/16/24/32 (PCM), 32/64 (float)
  int block_align = 0;      // bytes per frame, channels * bits / 8
  std::size_t data_offset = 0;
  std::size_t data_bytes = 0;    // the bytes of whole frames actually present
  std::int64_t frames = 0;       // data_bytes / block_align
  bool streaming_sizes = false;  // sizes were 0/0xFFFFFFFF ("unknown"): data runs to EOF
};

// Walks the RIFF chunks and validates them. Refuses, with the codes of audio_errors.hpp:
// empty input or a data chunk with no whole frame (empty_audio); a header cut short, a
// RIFF size or chunk size larger than the bytes present (truncated_audio); a non-WAVE RIFF
// form or an encoding other than PCM 8/16/24/32 or float 32/64 (unsupported_audio_format);
// zero channels, more than 1024 channels, a sample rate outside 1000..384000 Hz, an
// inconsistent block align, or a missing fmt or data chunk (malformed_audio).
// Accepted leniencies: bytes after the RIFF chunk are ignored; a RIFF size of 0 or
// 0xFFFFFFFF together with a data size of 0xFFFFFFFF (streaming writers) means "the data
// runs to the end of the file"; a trailing partial frame is dropped.
Result<WavLayout> parse_wav_layout(std::span<const std::uint8_t> bytes);

// A short human name of the encoding, e.g. "pcm_16", "float_32".
std::string wav_encoding_name(const WavLayout& layout);

}  // namespace driftd::audio
