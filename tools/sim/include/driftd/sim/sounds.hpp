#pragma once
// The two sound classes of a simulated baby monitor, as synthetic 1 s clips at 16 kHz:
//
// - "crying": a harmonic tone whose fundamental sits between 380 and 520 Hz, gliding
//   slowly, with a 5–8 Hz vibrato, four overtones of falling strength, and two or three
//   cry bursts per second (raised-cosine attack and release) over a faint breathy floor;
//   its spectral peak is the fundamental, inside 300–600 Hz. Peak level −12 to −6 dBFS.
// - "sleeping": quiet breathing: Gaussian noise through a 250–450 Hz low-pass, swelling
//   and fading with a 0.25–0.4 Hz breathing cycle, at −45 to −38 dBFS RMS, over a
//   −75 dBFS white floor (the microphone's own noise).
//
// Every parameter is drawn from the stream given, so a clip is a pure function of that
// stream's seed. Samples are int16-scale doubles (full scale 32768), not yet quantized.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "driftd/sim/random.hpp"

namespace driftd::sim {

inline constexpr int k_sample_rate_hz = 16000;
inline constexpr std::size_t k_clip_samples = 16000;  // 1 s

enum class SoundClass { crying, sleeping };

inline constexpr std::array<SoundClass, 2> k_sound_classes = {SoundClass::crying,
                                                              SoundClass::sleeping};

// "crying" or "sleeping": the label a device reports and the baseline folder name.
std::string_view label_of(SoundClass sound);

// The class whose label is `label`, if any.
std::optional<SoundClass> parse_sound_class(std::string_view label);

// One clean (undrifted) clip of k_clip_samples samples of class `sound`.
std::vector<double> generate_clip(SoundClass sound, SimRng& rng);

}  // namespace driftd::sim
