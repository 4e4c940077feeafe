#include <doctest/doctest.h>

#include <sndfile.h>

#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "driftd/audio/audio_errors.hpp"
#include "driftd/audio/decoder.hpp"
#include "support/audio_fixtures.hpp"

using driftd::audio::decode_audio;
using driftd::audio::DecodeOptions;
using driftd::test::encode_audio;
using driftd::test::make_wav;
using driftd::test::put_u16;
using driftd::test::put_u32;

namespace {

// Int16-scale values; multiples of 256 so that 8-bit files hold them exactly too.
std::vector<double> pattern(std::size_t frames, int channels, int salt) {
  std::vector<double> out(frames * static_cast<std::size_t>(channels));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const long v = static_cast<long>((i * 7919 + static_cast<std::size_t>(salt) * 104729) % 256);
    out[i] = static_cast<double>((v - 128) * 256);
  }
  return out;
}

std::string code_of(const std::vector<std::uint8_t>& bytes, DecodeOptions options = {}) {
  auto r = decode_audio(bytes, options);
  return r.ok() ? "ok" : r.error().code;
}

std::vector<std::uint8_t> valid_wav() {
  std::vector<std::int16_t> s(1600);
  for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::int16_t>(i * 37 % 2000);
  return make_wav(s, 16000);
}

}  // namespace

TEST_CASE("every supported encoding decodes to the same int16-scale samples") {
  struct Format {
    const char* name;
    int format;
    const char* container;
    const char* encoding;
  };
  const Format formats[] = {
      {"pcm_u8", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, "wav", "pcm_8"},
      {"pcm_16", SF_FORMAT_WAV | SF_FORMAT_PCM_16, "wav", "pcm_16"},
      {"pcm_24", SF_FORMAT_WAV | SF_FORMAT_PCM_24, "wav", "pcm_24"},
      {"pcm_32", SF_FORMAT_WAV | SF_FORMAT_PCM_32, "wav", "pcm_32"},
      {"float_32", SF_FORMAT_WAV | SF_FORMAT_FLOAT, "wav", "float_32"},
      {"float_64", SF_FORMAT_WAV | SF_FORMAT_DOUBLE, "wav", "float_64"},
      {"rifx_16", SF_FORMAT_WAV | SF_FORMAT_PCM_16 | SF_ENDIAN_BIG, "wav", "pcm_16"},
      {"rifx_float", SF_FORMAT_WAV | SF_FORMAT_FLOAT | SF_ENDIAN_BIG, "wav", "float_32"},
      {"extensible_16", SF_FORMAT_WAVEX | SF_FORMAT_PCM_16, "wav", "pcm_16"},
      {"extensible_24", SF_FORMAT_WAVEX | SF_FORMAT_PCM_24, "wav", "pcm_24"},
      {"extensible_float", SF_FORMAT_WAVEX | SF_FORMAT_FLOAT, "wav", "float_32"},
      {"flac_16", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, "flac", "pcm_16"},
      {"flac_24", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, "flac", "pcm_24"},
  };
  const std::vector<double> mono = pattern(3000, 1, 1);
  for (const Format& f : formats) {
    CAPTURE(f.name);
    auto audio = decode_audio(encode_audio(mono, 1, 22050, f.format));
    REQUIRE_MESSAGE(audio.ok(), (audio.ok() ? std::string() : audio.error().message));
    CHECK(audio->sample_rate_hz == 22050);
    CHECK(audio->channels == 1);
    CHECK(audio->container == f.container);
    CHECK(audio->encoding == f.encoding);
    CHECK(audio->samples == mono);  // exact
  }
}

TEST_CASE("several channels are averaged into one") {
  for (const int channels : {2, 3, 6}) {
    CAPTURE(channels);
    const std::vector<double> frames = pattern(2000, channels, channels);
    for (const int format : {SF_FORMAT_WAV | SF_FORMAT_PCM_16, SF_FORMAT_WAVEX | SF_FORMAT_PCM_24,
                             SF_FORMAT_WAV | SF_FORMAT_FLOAT, SF_FORMAT_FLAC | SF_FORMAT_PCM_16}) {
      auto audio = decode_audio(encode_audio(frames, channels, 16000, format));
      REQUIRE(audio.ok());
      CHECK(audio->channels == channels);
      REQUIRE(audio->samples.size() == 2000);
      for (std::size_t i = 0; i < 2000; ++i) {
        double sum = 0;
        for (int c = 0; c < channels; ++c)
          sum += frames[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)];
        CHECK(audio->samples[i] == doctest::Approx(sum / channels).epsilon(1e-12));
      }
    }
  }
}

TEST_CASE("float samples are scaled by 32768 and non-finite ones are refused") {
  std::vector<double> frames = {16384.0, -32768.0, 40000.0};  // 0.5, -1.0 and an overshoot
  auto audio = decode_audio(encode_audio(frames, 1, 16000, SF_FORMAT_WAV | SF_FORMAT_FLOAT));
  REQUIRE(audio.ok());
  CHECK(audio->samples == frames);
  frames[1] = std::nan("");
  CHECK(code_of(encode_audio(frames, 1, 16000, SF_FORMAT_WAV | SF_FORMAT_DOUBLE)) ==
        driftd::audio::k_malformed_audio);
}

TEST_CASE("malformed and truncated WAV files are refused with the right code") {
  using namespace driftd::audio;
  const std::vector<std::uint8_t> good = valid_wav();
  REQUIRE(code_of(good) == "ok");
  struct Bad {
    const char* name;
    std::vector<std::uint8_t> bytes;
    const char* code;
  };
  std::vector<Bad> cases;
  cases.push_back({"empty", {}, k_empty_audio});
  cases.push_back({"10 random bytes",
                   {0x13, 0x9A, 0x42, 0x07, 0xFE, 0x61, 0x00, 0x88, 0x5C, 0x21},
                   k_unsupported_audio_format});
  auto bytes = good;
  std::memcpy(bytes.data(), "RIFY", 4);
  cases.push_back({"wrong magic", bytes, k_unsupported_audio_format});
  bytes = good;
  std::memcpy(bytes.data() + 8, "AVI ", 4);
  cases.push_back({"not WAVE", bytes, k_unsupported_audio_format});
  cases.push_back({"8 bytes", {good.begin(), good.begin() + 8}, k_truncated_audio});
  cases.push_back({"truncated header", {good.begin(), good.begin() + 30}, k_truncated_audio});
  cases.push_back({"truncated data", {good.begin(), good.begin() + 1000}, k_truncated_audio});
  bytes = std::vector<std::uint8_t>(good.begin(), good.begin() + 1000);
  put_u32(bytes, 4, 1000 - 8);  // a consistent RIFF size, but the data chunk still lies
  cases.push_back({"lying data size", bytes, k_truncated_audio});
  cases.push_back(
      {"header only, data claimed", {good.begin(), good.begin() + 44}, k_truncated_audio});
  bytes = std::vector<std::uint8_t>(good.begin(), good.begin() + 44);
  put_u32(bytes, 4, 36);
  put_u32(bytes, 40, 0);
  cases.push_back({"header only, empty data", bytes, k_empty_audio});
  bytes = good;
  put_u16(bytes, 22, 0);
  cases.push_back({"zero channels", bytes, k_malformed_audio});
  bytes = good;
  put_u32(bytes, 24, 0);
  cases.push_back({"zero rate", bytes, k_malformed_audio});
  bytes = good;
  put_u32(bytes, 24, 1'000'000'000);
  cases.push_back({"absurd rate", bytes, k_malformed_audio});
  bytes = good;
  put_u16(bytes, 20, 2);  // Microsoft ADPCM
  cases.push_back({"ADPCM", bytes, k_unsupported_audio_format});
  bytes = good;
  put_u16(bytes, 34, 12);
  cases.push_back({"12-bit PCM", bytes, k_unsupported_audio_format});
  bytes = good;
  put_u16(bytes, 32, 3);
  cases.push_back({"wrong block align", bytes, k_malformed_audio});
  bytes = good;
  std::memcpy(bytes.data() + 36, "junk", 4);
  cases.push_back({"no data chunk", bytes, k_malformed_audio});
  bytes = good;
  put_u32(bytes, 16, 8);
  cases.push_back({"short fmt chunk", bytes, k_malformed_audio});
  cases.push_back({"not FLAC", {'f', 'L', 'a', 'C', 0, 0, 0, 34, 1, 2, 3}, k_malformed_audio});

  for (const Bad& bad : cases) {
    CAPTURE(bad.name);
    auto r = decode_audio(bad.bytes);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == bad.code);
    CHECK_FALSE(r.error().message.empty());
  }
}

TEST_CASE("tolerated WAV quirks still decode every sample") {
  const std::vector<std::uint8_t> good = valid_wav();
  const auto want = decode_audio(good);
  REQUIRE(want.ok());

  auto streaming = good;  // sizes left unknown by a streaming writer
  put_u32(streaming, 4, 0xFFFFFFFFu);
  put_u32(streaming, 40, 0xFFFFFFFFu);
  auto a = decode_audio(streaming);
  REQUIRE(a.ok());
  CHECK(a->samples == want->samples);

  auto trailing = good;  // bytes after the RIFF chunk
  trailing.insert(trailing.end(), {'J', 'U', 'N', 'K', 1, 2, 3});
  auto b = decode_audio(trailing);
  REQUIRE(b.ok());
  CHECK(b->samples == want->samples);

  // An odd-sized LIST chunk (with its pad byte) before the data chunk.
  std::vector<std::uint8_t> listed(good.begin(), good.begin() + 36);
  const std::vector<std::uint8_t> list = {'L', 'I', 'S', 'T', 3, 0, 0, 0, 'a', 'b', 'c', 0};
  listed.insert(listed.end(), list.begin(), list.end());
  listed.insert(listed.end(), good.begin() + 36, good.end());
  put_u32(listed, 4, static_cast<std::uint32_t>(listed.size() - 8));
  auto c = decode_audio(listed);
  REQUIRE(c.ok());
  CHECK(c->samples == want->samples);

  auto odd = good;  // a trailing partial frame is dropped
  odd.push_back(7);
  put_u32(odd, 4, static_cast<std::uint32_t>(odd.size() - 8));
  put_u32(odd, 40, static_cast<std::uint32_t>(odd.size() - 44));
  auto d = decode_audio(odd);
  REQUIRE(d.ok());
  CHECK(d->samples == want->samples);
}

TEST_CASE("audio longer than the limit is refused before decoding") {
  const auto wav = valid_wav();  // 0.1 s
  DecodeOptions options;
  options.max_seconds = 0.05;
  CHECK(code_of(wav, options) == driftd::audio::k_audio_too_long);
  options.max_seconds = 0.1;
  CHECK(code_of(wav, options) == "ok");
  const auto flac = encode_audio(pattern(3200, 1, 3), 1, 16000, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
  options.max_seconds = 0.1;
  CHECK(code_of(flac, options) == driftd::audio::k_audio_too_long);
}

TEST_CASE("a cut FLAC stream is refused") {
  const auto flac = encode_audio(pattern(20000, 1, 4), 1, 16000, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
  for (const std::size_t keep :
       {std::size_t{4}, std::size_t{30}, flac.size() / 2, flac.size() - 3}) {
    CAPTURE(keep);
    auto r = decode_audio(std::span<const std::uint8_t>(flac).first(keep));
    REQUIRE_FALSE(r.ok());
    CHECK(std::set<std::string>{"truncated_audio", "malformed_audio"}.count(r.error().code) == 1);
  }
}

TEST_CASE("damaged files never crash the decoder and fail only with audio codes") {
  const std::set<std::string> allowed = {"ok",
                                         "empty_audio",
                                         "truncated_audio",
                                         "unsupported_audio_format",
                                         "malformed_audio",
                                         "audio_too_long"};
  const std::vector<std::vector<std::uint8_t>> seeds = {
      valid_wav(),
      encode_audio(pattern(500, 2, 5), 2, 16000, SF_FORMAT_WAVEX | SF_FORMAT_PCM_24),
      encode_audio(pattern(500, 1, 6), 1, 16000, SF_FORMAT_WAV | SF_FORMAT_FLOAT | SF_ENDIAN_BIG),
      encode_audio(pattern(3000, 1, 7), 1, 16000, SF_FORMAT_FLAC | SF_FORMAT_PCM_16),
  };
  std::uint32_t state = 12345;
  const auto next = [&state](std::uint32_t bound) {
    state = state * 1664525u + 1013904223u;
    return (state >> 8) % bound;
  };
  int ok = 0;
  for (int round = 0; round < 1500; ++round) {
    auto bytes = seeds[static_cast<std::size_t>(round) % seeds.size()];
    const std::uint32_t edits = 1 + next(4);
    for (std::uint32_t e = 0; e < edits; ++e) {
      const auto at = next(static_cast<std::uint32_t>(std::min<std::size_t>(bytes.size(), 80)));
      bytes[at] = static_cast<std::uint8_t>(next(256));
    }
    if (next(4) == 0) bytes.resize(next(static_cast<std::uint32_t>(bytes.size())));
    DecodeOptions options;
    options.max_seconds = 60;
    const std::string code = code_of(bytes, options);
    CAPTURE(round);
    CHECK(allowed.count(code) == 1);
    ok += code == "ok";
  }
  MESSAGE(ok, " of 1500 damaged files still decoded");
}
