// Decoding with libsndfile over memory. (sf_strerror(NULL) reads a process-wide buffer, so
// messages here are our own: decoding runs on several request threads at once.) WAV files are first
// walked by parse_wav_layout() (riff.hpp), and libsndfile is then shown a canonical 44-byte header
// followed by exactly the validated data bytes: it decodes sample encodings, while every size it
// sees has already been checked, so its leniency about lying sizes cannot leak through. FLAC is
// handed over as is and its frame count checked after decoding.

#include "driftd/audio/decoder.hpp"

#include <sndfile.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>

#include "driftd/audio/audio_errors.hpp"
#include "driftd/audio/riff.hpp"

namespace driftd::audio {

namespace {

constexpr double k_int16_scale = 32768.0;
constexpr double k_max_float_magnitude = 1000.0;  // ±1000 × full scale
constexpr sf_count_t k_read_block_frames = 4096;
constexpr std::int64_t k_max_frames = std::int64_t{1} << 27;  // 1 GiB of mono doubles

// A read-only virtual file: `head` followed by `body`.
struct VirtualFile {
  std::span<const std::uint8_t> head;
  std::span<const std::uint8_t> body;
  sf_count_t pos = 0;

  sf_count_t length() const { return static_cast<sf_count_t>(head.size() + body.size()); }
};

sf_count_t vio_length(void* user) {
  return static_cast<VirtualFile*>(user)->length();
}

sf_count_t vio_seek(sf_count_t offset, int whence, void* user) {
  auto* file = static_cast<VirtualFile*>(user);
  sf_count_t base = 0;
  if (whence == SEEK_CUR) base = file->pos;
  if (whence == SEEK_END) base = file->length();
  if (offset > std::numeric_limits<sf_count_t>::max() - base && offset > 0) return -1;
  const sf_count_t target = base + offset;
  if (target < 0) return -1;
  file->pos = std::min(target, file->length());
  return file->pos;
}

sf_count_t vio_read(void* ptr, sf_count_t count, void* user) {
  auto* file = static_cast<VirtualFile*>(user);
  if (count <= 0) return 0;
  auto* out = static_cast<std::uint8_t*>(ptr);
  sf_count_t done = 0;
  while (done < count && file->pos < file->length()) {
    const auto pos = static_cast<std::size_t>(file->pos);
    std::span<const std::uint8_t> part;
    std::size_t at = 0;
    if (pos < file->head.size()) {
      part = file->head;
      at = pos;
    } else {
      part = file->body;
      at = pos - file->head.size();
    }
    const std::size_t n = std::min(part.size() - at, static_cast<std::size_t>(count - done));
    std::memcpy(out + done, part.data() + at, n);
    done += static_cast<sf_count_t>(n);
    file->pos += static_cast<sf_count_t>(n);
  }
  return done;
}

sf_count_t vio_write(const void*, sf_count_t, void*) {
  return 0;
}

sf_count_t vio_tell(void* user) {
  return static_cast<VirtualFile*>(user)->pos;
}

void put(std::array<std::uint8_t, 44>& h, std::size_t at, std::uint32_t v, int bytes, bool big) {
  for (int i = 0; i < bytes; ++i) {
    const int shift = big ? 8 * (bytes - 1 - i) : 8 * i;
    h[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>((v >> shift) & 0xFFu);
  }
}

// A canonical RIFF/RIFX header (fmt of 16 bytes, then the data chunk) for `layout`.
std::array<std::uint8_t, 44> canonical_header(const WavLayout& layout) {
  std::array<std::uint8_t, 44> h{};
  const bool big = layout.big_endian;
  std::memcpy(h.data(), big ? "RIFX" : "RIFF", 4);
  put(h, 4, static_cast<std::uint32_t>(36 + layout.data_bytes), 4, big);
  std::memcpy(h.data() + 8, "WAVEfmt ", 8);
  put(h, 16, 16, 4, big);
  put(h, 20, static_cast<std::uint32_t>(layout.format_tag), 2, big);
  put(h, 22, static_cast<std::uint32_t>(layout.channels), 2, big);
  put(h, 24, static_cast<std::uint32_t>(layout.sample_rate_hz), 4, big);
  const std::uint64_t byte_rate = static_cast<std::uint64_t>(layout.sample_rate_hz) *
                                  static_cast<std::uint64_t>(layout.block_align);
  put(h, 28, static_cast<std::uint32_t>(std::min<std::uint64_t>(byte_rate, 0xFFFFFFFFu)), 4, big);
  put(h, 32, static_cast<std::uint32_t>(layout.block_align), 2, big);
  put(h, 34, static_cast<std::uint32_t>(layout.bits_per_sample), 2, big);
  std::memcpy(h.data() + 36, "data", 4);
  put(h, 40, static_cast<std::uint32_t>(layout.data_bytes), 4, big);
  return h;
}

Error fail(const char* code, std::string message) {
  return make_error(code, std::move(message));
}

std::string seconds_text(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", seconds);
  return buffer;
}

Error too_long(double seconds, double max_seconds) {
  return fail(k_audio_too_long, "the audio lasts " + seconds_text(seconds) +
                                    " s, longer than the maximum of " + seconds_text(max_seconds) +
                                    " s");
}

// The largest frame count allowed by `options` at `rate`, never more than
// k_max_frames (a compressed stream must not be able to exhaust memory).
std::int64_t frame_limit(const DecodeOptions& options, int rate) {
  if (options.max_seconds <= 0) return k_max_frames;
  const double frames = std::floor(options.max_seconds * rate);
  return frames >= static_cast<double>(k_max_frames) ? k_max_frames
                                                     : static_cast<std::int64_t>(frames);
}

class SndFile {
 public:
  explicit SndFile(SNDFILE* handle) : m_handle(handle) {}
  SndFile(const SndFile&) = delete;
  SndFile& operator=(const SndFile&) = delete;
  ~SndFile() {
    if (m_handle != nullptr) sf_close(m_handle);
  }
  SNDFILE* get() const { return m_handle; }

 private:
  SNDFILE* m_handle;
};

// Reads every frame, averages the channels, scales to int16 range and checks float
// samples. `expected` is the frame count the header states (< 0: unknown).
Result<std::vector<double>> read_mono(SNDFILE* file, int channels, bool is_float,
                                      std::int64_t expected, std::int64_t limit, int rate,
                                      double max_seconds) {
  std::vector<double> mono;
  if (expected > 0) mono.reserve(static_cast<std::size_t>(expected));
  std::vector<double> block(static_cast<std::size_t>(k_read_block_frames) *
                            static_cast<std::size_t>(channels));
  const double inv_channels = 1.0 / channels;
  for (;;) {
    sf_count_t want = k_read_block_frames;
    if (expected >= 0) {
      want = std::min<sf_count_t>(want, expected - static_cast<sf_count_t>(mono.size()));
      if (want <= 0) break;
    }
    const sf_count_t got = sf_readf_double(file, block.data(), want);
    if (got <= 0) break;
    for (sf_count_t f = 0; f < got; ++f) {
      const double* frame = block.data() + static_cast<std::size_t>(f) * channels;
      double sum = 0;
      for (int c = 0; c < channels; ++c) {
        const double v = frame[c];
        if (is_float && !(std::fabs(v) <= k_max_float_magnitude)) {
          return fail(k_malformed_audio, std::isfinite(v)
                                             ? "a float sample is more than 1000 times full scale"
                                             : "a float sample is not a finite number");
        }
        sum += v;
      }
      mono.push_back((channels == 1 ? sum : sum * inv_channels) * k_int16_scale);
    }
    if (static_cast<std::int64_t>(mono.size()) > limit) {
      return too_long(static_cast<double>(mono.size()) / rate, max_seconds);
    }
  }
  if (expected >= 0 && static_cast<std::int64_t>(mono.size()) < expected) {
    return fail(k_truncated_audio, "the audio ends after " + std::to_string(mono.size()) +
                                       " of the " + std::to_string(expected) +
                                       " frames its header declares");
  }
  if (mono.empty()) return fail(k_empty_audio, "the audio holds no samples");
  return mono;
}

SNDFILE* open_virtual(VirtualFile& file, SF_INFO& info) {
  SF_VIRTUAL_IO io{vio_length, vio_seek, vio_read, vio_write, vio_tell};
  info = SF_INFO{};
  return sf_open_virtual(&io, SFM_READ, &info, &file);
}

Result<DecodedAudio> decode_wav(std::span<const std::uint8_t> bytes, const DecodeOptions& options) {
  auto parsed = parse_wav_layout(bytes);
  if (!parsed) return parsed.error();
  const WavLayout& layout = parsed.value();
  if (layout.frames > frame_limit(options, layout.sample_rate_hz)) {
    return too_long(static_cast<double>(layout.frames) / layout.sample_rate_hz,
                    options.max_seconds);
  }
  const auto header = canonical_header(layout);
  VirtualFile file{header, bytes.subspan(layout.data_offset, layout.data_bytes)};
  SF_INFO info;
  SndFile sf(open_virtual(file, info));
  if (sf.get() == nullptr) {
    return fail(k_malformed_audio, "the WAV sample data could not be decoded");
  }
  if (info.channels != layout.channels || info.samplerate != layout.sample_rate_hz ||
      info.frames != layout.frames) {
    return fail(k_malformed_audio, "the WAV decoder disagrees with the WAV header");
  }
  auto mono = read_mono(sf.get(), layout.channels, layout.format_tag == 3, layout.frames,
                        frame_limit(options, layout.sample_rate_hz), layout.sample_rate_hz,
                        options.max_seconds);
  if (!mono) return mono.error();
  DecodedAudio out;
  out.samples = std::move(mono.value());
  out.sample_rate_hz = layout.sample_rate_hz;
  out.channels = layout.channels;
  out.container = "wav";
  out.encoding = wav_encoding_name(layout);
  return out;
}

Result<DecodedAudio> decode_flac(std::span<const std::uint8_t> bytes,
                                 const DecodeOptions& options) {
  VirtualFile file{{}, bytes};
  SF_INFO info;
  SndFile sf(open_virtual(file, info));
  if (sf.get() == nullptr) {
    return fail(k_malformed_audio, "the FLAC stream could not be opened (damaged header)");
  }
  if ((info.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_FLAC) {
    return fail(k_unsupported_audio_format, "the stream is not FLAC");
  }
  if (info.channels < 1) return fail(k_malformed_audio, "FLAC stream declares zero channels");
  if (info.samplerate < k_min_sample_rate_hz || info.samplerate > k_max_sample_rate_hz) {
    return fail(k_malformed_audio, "FLAC sample rate " + std::to_string(info.samplerate) +
                                       " Hz is outside 1000..384000 Hz");
  }
  const std::int64_t limit = frame_limit(options, info.samplerate);
  // A FLAC header may leave the length unknown (0 or a huge value): then read and count.
  const bool known = info.frames > 0 && info.frames < (std::int64_t{1} << 48);
  if (known && info.frames > limit) {
    return too_long(static_cast<double>(info.frames) / info.samplerate, options.max_seconds);
  }
  auto mono = read_mono(sf.get(), info.channels, false, known ? info.frames : -1, limit,
                        info.samplerate, options.max_seconds);
  if (!mono) return mono.error();
  DecodedAudio out;
  out.samples = std::move(mono.value());
  out.sample_rate_hz = info.samplerate;
  out.channels = info.channels;
  out.container = "flac";
  const int subtype = info.format & SF_FORMAT_SUBMASK;
  out.encoding = subtype == SF_FORMAT_PCM_S8   ? "pcm_8"
                 : subtype == SF_FORMAT_PCM_24 ? "pcm_24"
                                               : "pcm_16";
  return out;
}

}  // namespace

Result<DecodedAudio> decode_audio(std::span<const std::uint8_t> bytes,
                                  const DecodeOptions& options) {
  if (bytes.empty()) return fail(k_empty_audio, "the audio is empty (0 bytes)");
  switch (sniff_container(bytes)) {
    case Container::wav:
      return decode_wav(bytes, options);
    case Container::flac:
      return decode_flac(bytes, options);
    case Container::unknown:
      break;
  }
  return fail(k_unsupported_audio_format,
              "unrecognised audio format: expected WAV (RIFF/RIFX) or FLAC");
}

}  // namespace driftd::audio
