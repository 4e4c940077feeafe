#include "support/audio_fixtures.hpp"

#include <sndfile.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <numbers>
#include <stdexcept>

namespace driftd::test {

namespace {

struct Buffer {
  std::vector<std::uint8_t> bytes;
  sf_count_t pos = 0;
};

sf_count_t b_length(void* user) {
  return static_cast<sf_count_t>(static_cast<Buffer*>(user)->bytes.size());
}
sf_count_t b_seek(sf_count_t offset, int whence, void* user) {
  auto* b = static_cast<Buffer*>(user);
  sf_count_t base = whence == SEEK_CUR ? b->pos : whence == SEEK_END ? b_length(user) : 0;
  b->pos = std::max<sf_count_t>(0, base + offset);
  return b->pos;
}
sf_count_t b_read(void* ptr, sf_count_t count, void* user) {
  auto* b = static_cast<Buffer*>(user);
  const sf_count_t n = std::max<sf_count_t>(0, std::min(count, b_length(user) - b->pos));
  std::memcpy(ptr, b->bytes.data() + b->pos, static_cast<std::size_t>(n));
  b->pos += n;
  return n;
}
sf_count_t b_write(const void* ptr, sf_count_t count, void* user) {
  auto* b = static_cast<Buffer*>(user);
  const auto end = static_cast<std::size_t>(b->pos + count);
  if (end > b->bytes.size()) b->bytes.resize(end);
  std::memcpy(b->bytes.data() + b->pos, ptr, static_cast<std::size_t>(count));
  b->pos += count;
  return count;
}
sf_count_t b_tell(void* user) {
  return static_cast<Buffer*>(user)->pos;
}

}  // namespace

std::vector<std::uint8_t> encode_audio(const std::vector<double>& frames, int channels,
                                       int sample_rate_hz, int format) {
  Buffer buffer;
  SF_VIRTUAL_IO io{b_length, b_seek, b_read, b_write, b_tell};
  SF_INFO info{};
  info.channels = channels;
  info.samplerate = sample_rate_hz;
  info.format = format;
  SNDFILE* file = sf_open_virtual(&io, SFM_WRITE, &info, &buffer);
  if (file == nullptr)
    throw std::runtime_error(std::string("sf_open_virtual: ") + sf_strerror(nullptr));
  const int sub = format & SF_FORMAT_SUBMASK;
  const sf_count_t count = static_cast<sf_count_t>(frames.size()) / channels;
  sf_count_t written = 0;
  if (sub == SF_FORMAT_FLOAT || sub == SF_FORMAT_DOUBLE) {
    std::vector<double> scaled(frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) scaled[i] = frames[i] / 32768.0;
    written = sf_writef_double(file, scaled.data(), count);
  } else {
    // sf_write_int takes 32-bit values and keeps their top bits: exact for int16 × 65536.
    std::vector<int> ints(frames.size());
    for (std::size_t i = 0; i < frames.size(); ++i) {
      ints[i] = static_cast<int>(std::lrint(frames[i])) * 65536;
    }
    written = sf_writef_int(file, ints.data(), count);
  }
  sf_close(file);
  if (written != count) throw std::runtime_error("libsndfile wrote fewer frames");
  return buffer.bytes;
}

void put_u16(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint16_t value) {
  bytes[at] = static_cast<std::uint8_t>(value & 0xFF);
  bytes[at + 1] = static_cast<std::uint8_t>(value >> 8);
}

void put_u32(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint32_t value) {
  for (std::size_t i = 0; i < 4; ++i) bytes[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

std::vector<std::uint8_t> make_wav(const std::vector<std::int16_t>& samples, int sample_rate_hz,
                                   int channels) {
  const auto data_bytes = static_cast<std::uint32_t>(samples.size() * 2);
  std::vector<std::uint8_t> w(44 + data_bytes);
  std::memcpy(w.data(), "RIFF", 4);
  put_u32(w, 4, 36 + data_bytes);
  std::memcpy(w.data() + 8, "WAVEfmt ", 8);
  put_u32(w, 16, 16);
  put_u16(w, 20, 1);
  put_u16(w, 22, static_cast<std::uint16_t>(channels));
  put_u32(w, 24, static_cast<std::uint32_t>(sample_rate_hz));
  put_u32(w, 28, static_cast<std::uint32_t>(sample_rate_hz * 2 * channels));
  put_u16(w, 32, static_cast<std::uint16_t>(2 * channels));
  put_u16(w, 34, 16);
  std::memcpy(w.data() + 36, "data", 4);
  put_u32(w, 40, data_bytes);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    put_u16(w, 44 + 2 * i, static_cast<std::uint16_t>(samples[i]));
  }
  return w;
}

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<double> tone(double hz, double amplitude, int rate, std::size_t count) {
  std::vector<double> out(count);
  for (std::size_t n = 0; n < count; ++n) {
    const double t = static_cast<double>(n) / rate;
    out[n] = std::floor(amplitude * std::sin(2 * std::numbers::pi * hz * t) + 0.5);
  }
  return out;
}

std::filesystem::path mfcc_testdata_dir() {
  return std::filesystem::path(DRIFTD_SHARED_DIR) / "testdata" / "mfcc";
}

}  // namespace driftd::test
