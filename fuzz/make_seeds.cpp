// Writes the binary seed corpus of fuzz_audio_decode into the folder given as the only
// argument: one small clip (< 4 KB) of each container and encoding driftd accepts, encoded
// by libsndfile, and a few broken variants of the canonical one (cut short, lying sizes,
// impossible fields). Generated at build/run time so that no binary files live in git.

#include <sndfile.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Seed {
  const char* name;
  int format;
  int channels;
  int rate;
  int frames;
};

constexpr Seed k_seeds[] = {
    {"pcm16_mono_16k.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 16000, 1600},
    {"pcm8_stereo_8k.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 2, 8000, 1200},
    {"pcm24_mono_22k.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 1, 22050, 1000},
    {"pcm32_mono_48k.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_32, 1, 48000, 800},
    {"float32_mono_44k.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 44100, 800},
    {"float64_mono_11k.wav", SF_FORMAT_WAV | SF_FORMAT_DOUBLE, 1, 11025, 400},
    {"pcm16_rifx_16k.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16 | SF_ENDIAN_BIG, 1, 16000, 1600},
    {"pcm16_wavex_3ch.wav", SF_FORMAT_WAVEX | SF_FORMAT_PCM_16, 3, 16000, 500},
    {"flac16_mono_16k.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1, 16000, 4000},
};

std::vector<std::uint8_t> read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

void put_u32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i)
    b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}

void put_u16(std::vector<std::uint8_t>& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v);
  b[at + 1] = static_cast<std::uint8_t>(v >> 8);
}

bool encode(const fs::path& path, const Seed& seed) {
  SF_INFO info{};
  info.samplerate = seed.rate;
  info.channels = seed.channels;
  info.format = seed.format;
  SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
  if (file == nullptr) return false;
  std::vector<double> frames(static_cast<std::size_t>(seed.frames * seed.channels));
  for (std::size_t i = 0; i < frames.size(); ++i) {
    frames[i] = 0.5 * std::sin(2.0 * M_PI * 440.0 * static_cast<double>(i) / seed.rate);
  }
  const sf_count_t written = sf_writef_double(file, frames.data(), seed.frames);
  sf_close(file);
  return written == seed.frames;
}

// Broken variants of the canonical 44-byte-header PCM file.
void write_broken(const fs::path& dir, const std::vector<std::uint8_t>& good) {
  write_all(dir / "broken_header_only.wav", {good.begin(), good.begin() + 44});
  write_all(dir / "broken_cut_header.wav", {good.begin(), good.begin() + 30});
  auto lying = std::vector<std::uint8_t>(good.begin(), good.begin() + 200);
  write_all(dir / "broken_data_size_lies.wav", lying);
  auto zero_channels = good;
  zero_channels.resize(300);
  put_u16(zero_channels, 22, 0);
  write_all(dir / "broken_zero_channels.wav", zero_channels);
  auto streaming = good;
  streaming.resize(400);
  put_u32(streaming, 4, 0xFFFFFFFFu);
  put_u32(streaming, 40, 0xFFFFFFFFu);
  write_all(dir / "streaming_sizes.wav", streaming);
  auto adpcm = good;
  adpcm.resize(300);
  put_u16(adpcm, 20, 2);
  write_all(dir / "unsupported_adpcm.wav", adpcm);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path dir = argv[1];
  fs::create_directories(dir);
  for (const Seed& seed : k_seeds) {
    if (!encode(dir / seed.name, seed)) {
      std::fprintf(stderr, "cannot encode %s\n", seed.name);
      return 1;
    }
    if (fs::file_size(dir / seed.name) > 4096) {
      std::fprintf(stderr, "%s is larger than 4 KB\n", seed.name);
      return 1;
    }
  }
  write_broken(dir, read_all(dir / "pcm16_mono_16k.wav"));
  return 0;
}
