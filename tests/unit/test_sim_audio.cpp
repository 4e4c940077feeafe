// The simulator's synthetic sounds and drift scenarios: determinism by seed, the spectra
// each class and scenario is meant to have, and WAV bytes that driftd decodes as written.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "driftd/audio/decoder.hpp"
#include "driftd/audio/fft.hpp"
#include "driftd/sim/filters.hpp"
#include "driftd/sim/random.hpp"
#include "driftd/sim/scenario.hpp"
#include "driftd/sim/sounds.hpp"
#include "driftd/sim/wav.hpp"

using namespace driftd::sim;

namespace {

constexpr std::size_t k_fft = 16384;

// Power per FFT bin of `samples` zero-padded to k_fft; bin k is k·16000/k_fft Hz.
std::vector<double> spectrum(std::span<const double> samples) {
  static const driftd::audio::RealFft fft(k_fft);
  std::vector<double> padded(k_fft, 0.0);
  std::copy(samples.begin(), samples.end(), padded.begin());
  std::vector<double> power(fft.bins());
  std::vector<double> scratch(fft.scratch_size());
  fft.power_spectrum(padded, power, scratch);
  return power;
}

double bin_hz(std::size_t k) {
  return static_cast<double>(k) * k_sample_rate_hz / k_fft;
}

double band_power(const std::vector<double>& power, double lo_hz, double hi_hz) {
  double sum = 0;
  for (std::size_t k = 0; k < power.size(); ++k) {
    if (bin_hz(k) >= lo_hz && bin_hz(k) < hi_hz) sum += power[k];
  }
  return sum;
}

double peak_hz(const std::vector<double>& power) {
  std::size_t best = 1;
  for (std::size_t k = 1; k < power.size(); ++k) {
    if (power[k] > power[best]) best = k;
  }
  return bin_hz(best);
}

double rms(std::span<const double> x) {
  double sum = 0;
  for (const double v : x) sum += v * v;
  return std::sqrt(sum / static_cast<double>(x.size()));
}

double rms16(std::span<const std::int16_t> x) {
  std::vector<double> d(x.begin(), x.end());
  return rms(d);
}

double db(double ratio) {
  return 10.0 * std::log10(ratio);
}

std::vector<double> clip(SoundClass sound, std::uint64_t seed) {
  SimRng rng(seed);
  return generate_clip(sound, rng);
}

}  // namespace

TEST_CASE("a clip is a pure function of its seed") {
  for (const SoundClass sound : k_sound_classes) {
    const auto a = clip(sound, 42);
    const auto b = clip(sound, 42);
    const auto c = clip(sound, 43);
    REQUIRE(a.size() == k_clip_samples);
    CHECK(a == b);
    CHECK(a != c);
  }
}

TEST_CASE("derived seeds differ by path and repeat for the same path") {
  CHECK(derive_seed(7, {1, 2}) == derive_seed(7, {1, 2}));
  CHECK(derive_seed(7, {1, 2}) != derive_seed(7, {2, 1}));
  CHECK(derive_seed(7, {1, 2}) != derive_seed(8, {1, 2}));
  SimRng rng(1);
  double sum = 0;
  double sum_sq = 0;
  for (int i = 0; i < 20000; ++i) {
    const double g = rng.gaussian();
    sum += g;
    sum_sq += g * g;
  }
  CHECK(std::abs(sum / 20000) < 0.03);
  CHECK(std::abs(sum_sq / 20000 - 1.0) < 0.05);
}

TEST_CASE("a crying clip has its spectral peak between 300 and 600 Hz") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto power = spectrum(clip(SoundClass::crying, seed));
    const double peak = peak_hz(power);
    CHECK_MESSAGE(peak >= 300.0, "seed " << seed);
    CHECK_MESSAGE(peak <= 600.0, "seed " << seed);
    // The fundamental's band holds most of the energy, the overtones the rest.
    CHECK(band_power(power, 300, 600) > 0.5 * band_power(power, 0, 8000));
  }
}

TEST_CASE("a sleeping clip is quiet breathing noise below 1 kHz") {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const auto samples = clip(SoundClass::sleeping, seed);
    const double level_dbfs = 20.0 * std::log10(rms(samples) / 32768.0);
    CHECK(level_dbfs > -46.0);
    CHECK(level_dbfs < -37.0);
    const auto power = spectrum(samples);
    CHECK(band_power(power, 0, 1000) > 0.9 * band_power(power, 0, 8000));
    CHECK(peak_hz(power) < 600.0);
  }
}

TEST_CASE("the noise scenario adds white noise at the configured SNR") {
  Scenario noise;
  noise.kind = ScenarioKind::noise;
  noise.snr_db = 5;
  for (const SoundClass sound : k_sound_classes) {
    const auto clean = clip(sound, 3);
    SimRng rng(99);
    const auto noisy = apply_scenario(noise, clean, k_sample_rate_hz, rng);
    std::vector<double> added(clean.size());
    for (std::size_t i = 0; i < clean.size(); ++i) added[i] = noisy[i] - clean[i];
    CHECK(db(std::pow(rms(clean), 2) / std::pow(rms(added), 2)) ==
          doctest::Approx(5.0).epsilon(1e-6));
    // Broadband: the quiet high bands fill up.
    const double before = band_power(spectrum(clean), 3000, 8000);
    const double after = band_power(spectrum(noisy), 3000, 8000);
    CHECK(db(after / before) > 10.0);
  }
}

TEST_CASE("the gain scenario changes the level by the configured decibels") {
  Scenario gain;
  gain.kind = ScenarioKind::gain;
  SimRng unused(0);
  SUBCASE("a quieter crying clip") {
    gain.gain_db = -12;
    const auto clean = to_pcm16(clip(SoundClass::crying, 5));
    const auto quiet =
        to_pcm16(apply_scenario(gain, clip(SoundClass::crying, 5), k_sample_rate_hz, unused));
    CHECK(20 * std::log10(rms16(quiet) / rms16(clean)) == doctest::Approx(-12.0).epsilon(0.002));
  }
  SUBCASE("a louder sleeping clip") {
    gain.gain_db = 10;
    const auto clean = to_pcm16(clip(SoundClass::sleeping, 5));
    const auto loud =
        to_pcm16(apply_scenario(gain, clip(SoundClass::sleeping, 5), k_sample_rate_hz, unused));
    CHECK(20 * std::log10(rms16(loud) / rms16(clean)) == doctest::Approx(10.0).epsilon(0.002));
  }
  SUBCASE("too much gain clips at full scale") {
    gain.gain_db = 20;
    const auto clean = to_pcm16(clip(SoundClass::crying, 5));
    const auto clipped =
        to_pcm16(apply_scenario(gain, clip(SoundClass::crying, 5), k_sample_rate_hz, unused));
    CHECK(*std::max_element(clipped.begin(), clipped.end()) == 32767);
    CHECK(*std::min_element(clipped.begin(), clipped.end()) == -32768);
    CHECK(20 * std::log10(rms16(clipped) / rms16(clean)) < 19.0);
  }
}

TEST_CASE("the mic scenario's filters attenuate the band they are designed to") {
  std::vector<double> white(k_clip_samples);
  SimRng rng(11);
  for (double& x : white) x = 1000.0 * rng.gaussian();
  const auto flat = spectrum(white);
  Scenario mic;
  mic.kind = ScenarioKind::mic;
  mic.mic.frequency_hz = 1000;
  auto change_db = [&](double lo, double hi) {
    SimRng unused(0);
    const auto filtered = spectrum(apply_scenario(mic, white, k_sample_rate_hz, unused));
    return db(band_power(filtered, lo, hi) / band_power(flat, lo, hi));
  };
  SUBCASE("high-pass at 1 kHz") {
    mic.mic.filter = MicFilter::high_pass;
    CHECK(change_db(300, 600) < -12.0);  // the crying fundamental
    CHECK(change_db(100, 200) < -30.0);
    CHECK(std::abs(change_db(3000, 7000)) < 1.0);
  }
  SUBCASE("low-pass at 1 kHz") {
    mic.mic.filter = MicFilter::low_pass;
    CHECK(change_db(4000, 7000) < -25.0);
    CHECK(std::abs(change_db(100, 400)) < 1.0);
  }
  SUBCASE("a 12 dB resonance at 2 kHz") {
    mic.mic = MicResponse{MicFilter::peak, 2000, 2, 12};
    CHECK(change_db(1950, 2050) == doctest::Approx(12.0).epsilon(0.1));
    CHECK(std::abs(change_db(100, 300)) < 1.0);
  }
  SUBCASE("the closed-form response agrees with the design") {
    const auto hp = Biquad::high_pass(1000, 0.7071, k_sample_rate_hz);
    CHECK(20 * std::log10(hp.magnitude_at(1000)) == doctest::Approx(-3.01).epsilon(0.01));
    const auto peak = Biquad::peaking(2000, 2, 12, k_sample_rate_hz);
    CHECK(20 * std::log10(peak.magnitude_at(2000)) == doctest::Approx(12.0).epsilon(1e-6));
  }
}

TEST_CASE("the scenario none leaves a clip unchanged and scenario names round-trip") {
  const auto clean = clip(SoundClass::crying, 1);
  SimRng rng(1);
  CHECK(apply_scenario(Scenario{}, clean, k_sample_rate_hz, rng) == clean);
  for (const char* name : {"none", "noise", "mic", "gain"}) {
    const auto kind = parse_scenario_kind(name);
    REQUIRE(kind);
    CHECK(scenario_name(*kind) == name);
  }
  CHECK_FALSE(parse_scenario_kind("wind"));
  Scenario bad;
  bad.kind = ScenarioKind::mic;
  bad.mic.frequency_hz = 9000;
  CHECK_FALSE(validate(bad, k_sample_rate_hz));
}

TEST_CASE("simulated WAV bytes decode with driftd's decoder to the same samples") {
  const auto samples = to_pcm16(clip(SoundClass::crying, 8));
  const std::string wav = encode_wav(samples, k_sample_rate_hz);
  CHECK(wav.size() == 44 + 2 * k_clip_samples);
  const auto decoded = driftd::audio::decode_audio(
      std::span(reinterpret_cast<const std::uint8_t*>(wav.data()), wav.size()));
  REQUIRE_MESSAGE(decoded, (decoded ? "" : decoded.error().message));
  CHECK(decoded->sample_rate_hz == k_sample_rate_hz);
  CHECK(decoded->channels == 1);
  CHECK(decoded->encoding == "pcm_16");
  REQUIRE(decoded->samples.size() == samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (decoded->samples[i] != samples[i]) FAIL("sample " << i << " differs");
  }
}

TEST_CASE("quantization rounds to the nearest integer and clips to int16") {
  const std::vector<double> in = {0.4, 0.6, -0.6, 40000.0, -40000.0, NAN, 32767.4};
  const auto out = to_pcm16(in);
  CHECK(out == std::vector<std::int16_t>{0, 1, -1, 32767, -32768, 0, 32767});
}
