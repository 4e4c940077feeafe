#include "driftd/sim/wav.hpp"

#include <cmath>

namespace driftd::sim {

namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}

}  // namespace

std::vector<std::int16_t> to_pcm16(std::span<const double> samples) {
  std::vector<std::int16_t> out(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    double x = samples[i];
    if (!std::isfinite(x)) x = 0;
    x = std::round(x);
    if (x > 32767.0) x = 32767.0;
    if (x < -32768.0) x = -32768.0;
    out[i] = static_cast<std::int16_t>(x);
  }
  return out;
}

std::string encode_wav(std::span<const std::int16_t> samples, int sample_rate_hz) {
  constexpr std::uint16_t k_channels = 1;
  constexpr std::uint16_t k_bits = 16;
  constexpr std::uint16_t k_block_align = k_channels * k_bits / 8;
  const auto data_bytes = static_cast<std::uint32_t>(samples.size() * k_block_align);
  const auto rate = static_cast<std::uint32_t>(sample_rate_hz);
  std::string out;
  out.reserve(44 + data_bytes);
  out += "RIFF";
  put_u32(out, 36 + data_bytes);
  out += "WAVE";
  out += "fmt ";
  put_u32(out, 16);
  put_u16(out, 1);  // PCM
  put_u16(out, k_channels);
  put_u32(out, rate);
  put_u32(out, rate * k_block_align);
  put_u16(out, k_block_align);
  put_u16(out, k_bits);
  out += "data";
  put_u32(out, data_bytes);
  for (const std::int16_t s : samples) put_u16(out, static_cast<std::uint16_t>(s));
  return out;
}

}  // namespace driftd::sim
