#include "support/training_audio.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <random>
#include <stdexcept>

#include "support/audio_fixtures.hpp"

namespace driftd::test {

std::string tone_wav(double hz, std::uint64_t seed, double gain, std::size_t samples) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> amplitude_of(1000.0, 2000.0);
  std::uniform_real_distribution<double> noise(-200.0, 200.0);
  const double amplitude = amplitude_of(rng);
  std::vector<std::int16_t> pcm(samples);
  for (std::size_t n = 0; n < samples; ++n) {
    const double v =
        amplitude * std::sin(2 * std::numbers::pi * hz * static_cast<double>(n) / 16000.0) +
        noise(rng);
    pcm[n] = static_cast<std::int16_t>(std::lround(std::clamp(gain * v, -32768.0, 32767.0)));
  }
  const std::vector<std::uint8_t> bytes = make_wav(pcm, 16000);
  return std::string(bytes.begin(), bytes.end());
}

std::vector<std::filesystem::path> write_tone_set(const std::filesystem::path& dir,
                                                  const std::vector<ToneLabel>& labels,
                                                  int clips_per_label, std::uint64_t seed,
                                                  double gain) {
  std::vector<std::filesystem::path> files;
  for (std::size_t l = 0; l < labels.size(); ++l) {
    const auto folder = dir / labels[l].label;
    std::filesystem::create_directories(folder);
    for (int i = 0; i < clips_per_label; ++i) {
      const std::uint64_t clip_seed = seed * 1'000'003 + l * 1'009 + static_cast<std::uint64_t>(i);
      const auto path = folder / ("clip_" + std::to_string(i) + ".wav");
      std::ofstream out(path, std::ios::binary);
      const std::string wav = tone_wav(labels[l].hz, clip_seed, gain);
      out.write(wav.data(), static_cast<std::streamsize>(wav.size()));
      if (!out) throw std::runtime_error("cannot write " + path.string());
      files.push_back(path);
    }
  }
  return files;
}

}  // namespace driftd::test
