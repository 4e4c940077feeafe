// Synthetic baby-monitor sounds. The aim is not realism but two classes that are easy to
// tell apart, vary from clip to clip like real recordings do (pitch, level, timing), and
// respond to the drift scenarios the way recorded audio would: background noise fills
// the quiet class's high bands, a microphone filter tilts the spectrum, a gain change
// moves the level. Cost: a few hundred thousand floating-point operations per clip.
#include "driftd/sim/sounds.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "driftd/sim/filters.hpp"

namespace driftd::sim {

namespace {

constexpr double k_two_pi = 2.0 * std::numbers::pi;
constexpr double k_full_scale = 32768.0;
constexpr double k_rate = k_sample_rate_hz;

double db_to_amplitude(double db) {
  return std::pow(10.0, db / 20.0);
}

// Raised-cosine ramp from 0 (x ≤ 0) to 1 (x ≥ 1).
double ramp(double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return 0.5 - 0.5 * std::cos(std::numbers::pi * x);
}

// The loudness envelope of a crying clip: bursts of 250–450 ms separated by 60–150 ms
// pauses (a catch of breath), the first burst possibly begun before the clip starts.
std::vector<double> cry_envelope(SimRng& rng) {
  constexpr double k_attack_s = 0.03;
  constexpr double k_release_s = 0.06;
  constexpr double k_pause_level = 0.04;
  std::vector<double> env(k_clip_samples, k_pause_level);
  double start = rng.uniform(-0.2, 0.1);
  while (start < 1.0) {
    const double length = rng.uniform(0.25, 0.45);
    const double strength = rng.uniform(0.75, 1.0);
    const double end = start + length;
    const auto first = static_cast<std::size_t>(std::max(0.0, start * k_rate));
    const auto last = static_cast<std::size_t>(std::min(1.0, end) * k_rate);
    for (std::size_t i = first; i < last && i < k_clip_samples; ++i) {
      const double t = static_cast<double>(i) / k_rate;
      const double shape = ramp((t - start) / k_attack_s) * ramp((end - t) / k_release_s);
      env[i] = std::max(env[i], strength * shape);
    }
    start = end + rng.uniform(0.06, 0.15);
  }
  return env;
}

std::vector<double> crying(SimRng& rng) {
  constexpr std::array<double, 5> k_overtones = {1.0, 0.45, 0.25, 0.12, 0.06};
  const double f0 = rng.uniform(380.0, 520.0);
  const double glide_hz = rng.uniform(-30.0, 30.0);  // over the clip
  const double vibrato_rate = rng.uniform(5.0, 8.0);
  const double vibrato_depth = rng.uniform(8.0, 20.0);
  const double vibrato_phase = rng.uniform(0.0, k_two_pi);
  std::array<double, k_overtones.size()> amplitude{};
  std::array<double, k_overtones.size()> phase{};
  double amplitude_sum = 0;
  for (std::size_t h = 0; h < k_overtones.size(); ++h) {
    amplitude[h] = k_overtones[h] * rng.uniform(0.8, 1.2);
    phase[h] = rng.uniform(0.0, k_two_pi);
    amplitude_sum += amplitude[h];
  }
  const double peak = k_full_scale * db_to_amplitude(rng.uniform(-12.0, -6.0));
  const std::vector<double> envelope = cry_envelope(rng);

  std::vector<double> out(k_clip_samples);
  double theta = 0;  // phase of the fundamental
  for (std::size_t i = 0; i < k_clip_samples; ++i) {
    const double t = static_cast<double>(i) / k_rate;
    const double f = f0 + glide_hz * (t - 0.5) +
                     vibrato_depth * std::sin(k_two_pi * vibrato_rate * t + vibrato_phase);
    theta += k_two_pi * f / k_rate;
    double tone = 0;
    for (std::size_t h = 0; h < k_overtones.size(); ++h) {
      tone += amplitude[h] * std::sin(static_cast<double>(h + 1) * theta + phase[h]);
    }
    const double breath = 0.02 * rng.gaussian();
    out[i] = peak * (envelope[i] * tone / amplitude_sum + breath);
  }
  return out;
}

std::vector<double> sleeping(SimRng& rng) {
  const double cutoff = rng.uniform(250.0, 450.0);
  const double breath_rate = rng.uniform(0.25, 0.4);
  const double breath_phase = rng.uniform(0.0, k_two_pi);
  const double level = k_full_scale * db_to_amplitude(rng.uniform(-45.0, -38.0));
  const double floor = k_full_scale * db_to_amplitude(-75.0);

  std::vector<double> noise(k_clip_samples);
  for (double& x : noise) x = rng.gaussian();
  std::vector<double> breath =
      Biquad::low_pass(cutoff, std::numbers::sqrt2 / 2, k_rate).apply(noise);
  double power = 0;
  for (std::size_t i = 0; i < k_clip_samples; ++i) {
    const double t = static_cast<double>(i) / k_rate;
    breath[i] *= 0.2 + 0.8 * (0.5 + 0.5 * std::sin(k_two_pi * breath_rate * t + breath_phase));
    power += breath[i] * breath[i];
  }
  const double rms = std::sqrt(power / static_cast<double>(k_clip_samples));
  const double scale = rms > 0 ? level / rms : 0.0;
  for (double& x : breath) x = x * scale + floor * rng.gaussian();
  return breath;
}

}  // namespace

std::string_view label_of(SoundClass sound) {
  return sound == SoundClass::crying ? "crying" : "sleeping";
}

std::optional<SoundClass> parse_sound_class(std::string_view label) {
  for (const SoundClass sound : k_sound_classes) {
    if (label_of(sound) == label) return sound;
  }
  return std::nullopt;
}

std::vector<double> generate_clip(SoundClass sound, SimRng& rng) {
  return sound == SoundClass::crying ? crying(rng) : sleeping(rng);
}

}  // namespace driftd::sim
