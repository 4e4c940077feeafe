// RIFF/RIFX walk: finds the fmt and data chunks, checks every size against the bytes that
// are really there, and resolves WAVE_FORMAT_EXTENSIBLE to its PCM/float sub-format.

#include "driftd/audio/riff.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <optional>

#include "driftd/audio/audio_errors.hpp"

namespace driftd::audio {

namespace {

constexpr std::uint32_t k_unknown_size = 0xFFFFFFFFu;
constexpr int k_tag_pcm = 0x0001;
constexpr int k_tag_float = 0x0003;
constexpr int k_tag_extensible = 0xFFFE;
constexpr int k_max_channels = 1024;
// Bytes 2..15 of the KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT GUIDs as stored in a file.
constexpr std::array<std::uint8_t, 14> k_guid_tail = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80,
                                                      0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};

bool has_magic(std::span<const std::uint8_t> bytes, std::size_t at, const char* magic) {
  return bytes.size() >= at + 4 && std::memcmp(bytes.data() + at, magic, 4) == 0;
}

class Reader {
 public:
  Reader(std::span<const std::uint8_t> bytes, bool big_endian)
      : m_bytes(bytes), m_big_endian(big_endian) {}
  std::uint32_t u32(std::size_t at) const {
    const std::uint8_t* p = m_bytes.data() + at;
    if (m_big_endian) {
      return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) |
             (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
    }
    return (std::uint32_t{p[3]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[1]} << 8) |
           std::uint32_t{p[0]};
  }
  std::uint16_t u16(std::size_t at) const {
    const std::uint8_t* p = m_bytes.data() + at;
    return m_big_endian ? static_cast<std::uint16_t>((p[0] << 8) | p[1])
                        : static_cast<std::uint16_t>((p[1] << 8) | p[0]);
  }

 private:
  std::span<const std::uint8_t> m_bytes;
  bool m_big_endian;
};

std::string fourcc(std::span<const std::uint8_t> bytes, std::size_t at) {
  std::string out;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto c = static_cast<char>(bytes[at + i]);
    out += (c >= 0x20 && c < 0x7F) ? c : '?';
  }
  return out;
}

Error fail(const char* code, std::string message) {
  return make_error(code, std::move(message));
}

struct Format {
  int tag = 0;
  bool extensible = false;
  int channels = 0;
  int sample_rate_hz = 0;
  int block_align = 0;
  int bits = 0;
};

Result<Format> parse_fmt(const Reader& in, std::span<const std::uint8_t> bytes, std::size_t at,
                         std::uint32_t size) {
  if (size < 16) {
    return fail(k_malformed_audio,
                "WAV fmt chunk is " + std::to_string(size) + " bytes, at least 16 are needed");
  }
  Format f;
  f.tag = in.u16(at);
  f.channels = in.u16(at + 2);
  const std::uint32_t rate = in.u32(at + 4);
  f.block_align = in.u16(at + 12);
  f.bits = in.u16(at + 14);
  if (f.tag == k_tag_extensible) {
    if (size < 40 || in.u16(at + 16) < 22) {
      return fail(k_malformed_audio, "WAVE_FORMAT_EXTENSIBLE fmt chunk is too short");
    }
    const std::size_t guid = at + 24;
    const int sub = in.u16(guid);
    // The GUID is stored little-endian in both RIFF and RIFX files written by common tools;
    // accept the sub-format in either byte order.
    const int sub_swapped = ((sub & 0xFF) << 8) | (sub >> 8);
    const bool tail_ok = std::equal(k_guid_tail.begin(), k_guid_tail.end(),
                                    bytes.begin() + static_cast<std::ptrdiff_t>(guid + 2));
    const int resolved = (sub == k_tag_pcm || sub == k_tag_float) ? sub : sub_swapped;
    if (!tail_ok || (resolved != k_tag_pcm && resolved != k_tag_float)) {
      return fail(k_unsupported_audio_format,
                  "WAVE_FORMAT_EXTENSIBLE sub-format is neither PCM nor IEEE float");
    }
    f.tag = resolved;
    f.extensible = true;
  }
  if (f.channels == 0) return fail(k_malformed_audio, "WAV header declares zero channels");
  if (f.channels > k_max_channels) {
    return fail(k_unsupported_audio_format,
                "WAV has " + std::to_string(f.channels) + " channels; at most 1024 are supported");
  }
  if (rate < static_cast<std::uint32_t>(k_min_sample_rate_hz) ||
      rate > static_cast<std::uint32_t>(k_max_sample_rate_hz)) {
    return fail(k_malformed_audio,
                "WAV sample rate " + std::to_string(rate) + " Hz is outside 1000..384000 Hz");
  }
  f.sample_rate_hz = static_cast<int>(rate);
  if (f.tag == k_tag_pcm) {
    if (f.bits != 8 && f.bits != 16 && f.bits != 24 && f.bits != 32) {
      return fail(k_unsupported_audio_format, "WAV PCM with " + std::to_string(f.bits) +
                                                  " bits per sample is not supported (8, 16, "
                                                  "24 or 32)");
    }
  } else if (f.tag == k_tag_float) {
    if (f.bits != 32 && f.bits != 64) {
      return fail(k_unsupported_audio_format, "WAV float with " + std::to_string(f.bits) +
                                                  " bits per sample is not supported (32 or 64)");
    }
  } else {
    char tag[8];
    std::snprintf(tag, sizeof tag, "0x%04X", static_cast<unsigned>(f.tag));
    return fail(k_unsupported_audio_format,
                std::string("WAV format tag ") + tag +
                    " is not supported: use PCM (8/16/24/32-bit) or IEEE float (32/64-bit)");
  }
  if (f.block_align != f.channels * (f.bits / 8)) {
    return fail(k_malformed_audio, "WAV block align " + std::to_string(f.block_align) +
                                       " does not match " + std::to_string(f.channels) +
                                       " channels of " + std::to_string(f.bits) + " bits");
  }
  return f;
}

}  // namespace

Container sniff_container(std::span<const std::uint8_t> bytes) {
  if (has_magic(bytes, 0, "fLaC")) return Container::flac;
  if (has_magic(bytes, 0, "RIFF") || has_magic(bytes, 0, "RIFX")) {
    if (bytes.size() < 12 || has_magic(bytes, 8, "WAVE")) return Container::wav;
  }
  return Container::unknown;
}

Result<WavLayout> parse_wav_layout(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return fail(k_empty_audio, "the audio is empty (0 bytes)");
  const bool riff = has_magic(bytes, 0, "RIFF");
  const bool rifx = has_magic(bytes, 0, "RIFX");
  if (!riff && !rifx) {
    return fail(k_unsupported_audio_format, "not a WAV file (no RIFF/RIFX magic)");
  }
  if (bytes.size() < 12) {
    return fail(k_truncated_audio,
                "WAV header is cut short (" + std::to_string(bytes.size()) + " bytes)");
  }
  if (!has_magic(bytes, 8, "WAVE")) {
    return fail(k_unsupported_audio_format,
                "RIFF form '" + fourcc(bytes, 8) + "' is not WAVE audio");
  }
  const Reader in(bytes, rifx);
  const std::uint32_t riff_size = in.u32(4);
  const bool streaming = riff_size == 0 || riff_size == k_unknown_size;
  std::size_t end = bytes.size();
  if (!streaming) {
    const std::uint64_t declared = std::uint64_t{riff_size} + 8;
    if (declared > bytes.size()) {
      return fail(k_truncated_audio, "RIFF header declares " + std::to_string(declared) +
                                         " bytes but only " + std::to_string(bytes.size()) +
                                         " are present");
    }
    end = static_cast<std::size_t>(declared);  // bytes after the RIFF chunk are ignored
  }

  std::optional<Format> format;
  std::optional<std::size_t> data_offset;
  std::size_t data_bytes = 0;
  bool data_unknown_size = false;
  std::size_t pos = 12;
  while (pos < end) {
    if (end - pos < 8) {
      if (data_offset) break;  // stray bytes after the data chunk
      return fail(k_truncated_audio,
                  "WAV chunk header is cut short at byte " + std::to_string(pos));
    }
    const std::string id = fourcc(bytes, pos);
    const std::uint32_t size = in.u32(pos + 4);
    const std::size_t body = pos + 8;
    const std::size_t available = end - body;
    if (id == "data" && !data_offset) {
      if (size == k_unknown_size) {
        data_unknown_size = true;
        data_bytes = available;
      } else if (size > available) {
        return fail(k_truncated_audio, "WAV data chunk declares " + std::to_string(size) +
                                           " bytes but only " + std::to_string(available) +
                                           " are present");
      } else {
        data_bytes = size;
      }
      data_offset = body;
      if (format) break;
      if (data_unknown_size) break;  // nothing can follow a data chunk of unknown size
    } else if (size > available) {
      if (data_offset && format) break;  // a cut chunk after the audio does not matter
      return fail(k_truncated_audio, "WAV chunk '" + id + "' declares " + std::to_string(size) +
                                         " bytes but only " + std::to_string(available) +
                                         " are present");
    } else if (id == "fmt " && !format) {
      auto parsed = parse_fmt(in, bytes, body, size);
      if (!parsed) return parsed.error();
      format = parsed.value();
      if (data_offset) break;
    }
    const std::size_t advance = std::size_t{size} + (size & 1u);
    if (advance > end - body) break;
    pos = body + advance;
  }
  if (!format) {
    return data_offset ? fail(k_malformed_audio, "WAV has no fmt chunk")
                       : fail(k_truncated_audio, "WAV ends before its fmt chunk");
  }
  if (!data_offset) return fail(k_malformed_audio, "WAV has no data chunk");

  WavLayout layout;
  layout.big_endian = rifx;
  layout.format_tag = format->tag;
  layout.extensible = format->extensible;
  layout.channels = format->channels;
  layout.sample_rate_hz = format->sample_rate_hz;
  layout.bits_per_sample = format->bits;
  layout.block_align = format->block_align;
  layout.data_offset = *data_offset;
  layout.frames =
      static_cast<std::int64_t>(data_bytes / static_cast<std::size_t>(format->block_align));
  layout.data_bytes =
      static_cast<std::size_t>(layout.frames) * static_cast<std::size_t>(format->block_align);
  layout.streaming_sizes = streaming || data_unknown_size;
  if (layout.frames == 0) {
    return fail(k_empty_audio, "WAV holds no samples (its data chunk is empty)");
  }
  return layout;
}

std::string wav_encoding_name(const WavLayout& layout) {
  const char* kind = layout.format_tag == k_tag_float ? "float_" : "pcm_";
  return kind + std::to_string(layout.bits_per_sample);
}

}  // namespace driftd::audio
