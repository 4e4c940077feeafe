#pragma once
// Training-like audio for the baseline and compare tests: labelled folders of short WAV
// clips, each a tone whose frequency depends on its label and whose amplitude and noise
// come from a seed, so that two sets from the same generator are alike but not equal and a
// gain makes a set louder by exactly 20·log10(gain) dB (before rounding).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace driftd::test {

// A label and the frequency of its tone.
struct ToneLabel {
  std::string label;
  double hz = 440;
};

// A 16 kHz mono 16-bit WAV of `samples` samples: gain · (A·sin(2π·hz·n/16000) + noise),
// A uniform in [1000, 2000) and noise uniform in ±200, both drawn from `seed`.
std::string tone_wav(double hz, std::uint64_t seed, double gain = 1.0,
                     std::size_t samples = 40'000);

// Writes `clips_per_label` clips per label as DIR/<label>/clip_<i>.wav (2.5 s each: six
// windows at the default geometry); clip seeds derive from `seed`. Returns the files.
std::vector<std::filesystem::path> write_tone_set(const std::filesystem::path& dir,
                                                  const std::vector<ToneLabel>& labels,
                                                  int clips_per_label, std::uint64_t seed,
                                                  double gain = 1.0);

}  // namespace driftd::test
