// Drift detection end to end on synthetic audio: clips made by one generator, analysed
// exactly as uploads are (audio::ClipAnalyzer → per-window drift features), binned against
// a reference made by the same generator and evaluated with the default settings. Clips
// from the generator itself must not alarm; added background noise, a changed microphone
// response and a gain change must. Run with -s to see the counts (docs/drift.md quotes them).
//
// To keep the runtime modest the features of a pool of clips are computed once per
// scenario and every evaluation draws its clips from the pool (without replacement).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/drift/evaluation.hpp"
#include "driftd/drift/reference.hpp"
#include "driftd/drift/reference_builder.hpp"
#include "driftd/drift/thresholds.hpp"
#include "support/drift_fixtures.hpp"

using namespace driftd;

namespace {

constexpr int k_rate = 16000;
constexpr std::size_t k_clip_samples = k_rate * 5 / 2;  // 2.5 s: 6 windows

// What happens to the audio on its way to the device.
struct Scene {
  double noise_std = 0;  // added white background noise (int16 scale)
  double lowpass = 0;    // one-pole low-pass coefficient (0: none): a changed microphone
  double gain = 1;       // overall gain
};

// One clip of the generator: a harmonic source (fundamental 180–420 Hz, three partials, a
// slow amplitude swell, level log-uniform over 10 dB) in faint room noise, then `scene`.
std::vector<double> scene_clip(std::uint64_t seed, const Scene& scene) {
  std::mt19937_64 rng(seed);
  test::NormalSource noise(seed ^ 0x9E3779B97F4A7C15ULL);
  const auto uniform = [&](double lo, double hi) {
    return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53);
  };
  const double f0 = uniform(180, 420);
  const double level = 1600 * std::pow(10.0, uniform(0, 0.5));
  const double swell_hz = uniform(0.3, 1.2);
  const double phase = uniform(0, 2 * std::numbers::pi);
  std::vector<double> x(k_clip_samples);
  double filtered = 0;
  for (std::size_t n = 0; n < x.size(); ++n) {
    const double t = static_cast<double>(n) / k_rate;
    const double envelope = 0.6 + 0.4 * std::sin(2 * std::numbers::pi * swell_hz * t + phase);
    double v = 0;
    for (int k = 1; k <= 3; ++k) {
      v += std::sin(2 * std::numbers::pi * k * f0 * t + k * phase) / k;
    }
    double sample = level * envelope * v + 150 * noise.next();
    sample += scene.noise_std * noise.next();
    if (scene.lowpass > 0) {
      filtered = scene.lowpass * filtered + (1 - scene.lowpass) * sample;
      sample = filtered;
    }
    x[n] = std::clamp(scene.gain * sample, -32768.0, 32767.0);
  }
  return x;
}

std::vector<drift::ClipFeatures> pool(const audio::ClipAnalyzer& analyzer, std::uint64_t first_seed,
                                      int clips, const Scene& scene) {
  std::vector<drift::ClipFeatures> out;
  for (int c = 0; c < clips; ++c) {
    const auto samples = scene_clip(first_seed + static_cast<std::uint64_t>(c), scene);
    auto analyzed = analyzer.analyze_samples(samples);
    REQUIRE(analyzed.ok());
    out.push_back(drift::drift_vectors(*analyzed));
  }
  return out;
}

struct Bench {
  config::Config config;
  audio::ClipAnalyzer analyzer = audio::ClipAnalyzer::create(config.features).value();
  drift::WindowGeometry geometry = drift::geometry_from(config.features);
  drift::Reference reference;

  Bench() {
    const auto clips = pool(analyzer, 1, 600, Scene{});
    const auto names =
        audio::drift_feature_names(static_cast<std::size_t>(config.features.mfcc.num_cepstral));
    reference = drift::build_reference(names, clips, config.drift.bins, geometry).value();
  }

  // The status of `count` clips drawn from `clips` with `seed`.
  drift::DriftStatus evaluate(const std::vector<drift::ClipFeatures>& clips, std::size_t count,
                              std::uint64_t seed, const drift::Thresholds& thresholds) const {
    std::vector<std::size_t> order(clips.size());
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<drift::ClipFeatures> drawn;
    for (std::size_t i = 0; i < count && i < order.size(); ++i) drawn.push_back(clips[order[i]]);
    auto sample = drift::bin_sample(reference, drawn, geometry);
    REQUIRE(sample.ok());
    auto evaluation = drift::evaluate(reference, {std::move(sample).value(), std::nullopt},
                                      thresholds, {"test", std::nullopt, 0, 0, 0});
    REQUIRE(evaluation.ok());
    return evaluation->status;
  }

  // The fewest clips (in steps of 5) at which 10 draws out of 10 alarm; 0 when never.
  std::size_t clips_to_alarm(const std::vector<drift::ClipFeatures>& clips,
                             const drift::Thresholds& thresholds) const {
    for (std::size_t count = 5; count <= clips.size(); count += 5) {
      int alarms = 0;
      for (std::uint64_t draw = 0; draw < 10; ++draw) {
        alarms +=
            evaluate(clips, count, 1000 * count + draw, thresholds) == drift::DriftStatus::alarm;
      }
      if (alarms == 10) return count;
    }
    return 0;
  }
};

}  // namespace

// Statuses of 200 evaluations of draws of `sizes` clips (cycled) from `clips`.
struct Tally {
  int alarms = 0;
  int warns = 0;
};

Tally stationary_tally(const Bench& bench, const std::vector<drift::ClipFeatures>& clips,
                       std::span<const std::size_t> sizes, std::uint64_t seed) {
  const drift::Thresholds thresholds = drift::thresholds_from(bench.config.drift);
  Tally tally;
  for (std::uint64_t i = 0; i < 200; ++i) {
    const auto status = bench.evaluate(clips, sizes[i % sizes.size()], seed + i, thresholds);
    tally.alarms += status == drift::DriftStatus::alarm;
    tally.warns += status == drift::DriftStatus::warn;
  }
  return tally;
}

TEST_CASE("clips from the reference's own generator do not alarm at the default settings") {
  const Bench bench;
  const auto same = pool(bench.analyzer, 100'000, 500, Scene{});
  // 600 to 960 windows (100 and 160 clips).
  const std::size_t large[] = {100, 160};
  const Tally judged = stationary_tally(bench, same, large, 0);
  MESSAGE("stationary, 600-960 windows: 200 evaluations: " << judged.alarms << " alarm, "
                                                           << judged.warns << " warn");
  CHECK(judged.alarms == 0);
  CHECK(judged.warns == 0);
  // Just above min_windows: 240 and 360 windows from 40 and 60 clips of strongly clustered
  // windows (each clip worth about 1.5 independent windows). α = 0.001 expects 0.2 false
  // alarms in 200 evaluations; 3 or more would be a 1-in-1000 event if calibrated.
  const std::size_t small[] = {40, 60};
  const Tally edge = stationary_tally(bench, same, small, 10'000);
  MESSAGE("stationary, 240-360 windows: 200 evaluations: " << edge.alarms << " alarm, "
                                                           << edge.warns << " warn");
  CHECK(edge.alarms <= 2);
}

TEST_CASE("background noise, a changed microphone and a gain change each reach alarm") {
  const Bench bench;
  const drift::Thresholds defaults = drift::thresholds_from(bench.config.drift);
  drift::Thresholds no_floor = defaults;
  no_floor.min_windows = 1;
  const struct {
    const char* name;
    Scene scene;
  } cases[] = {
      {"background noise (white, sd 600)", Scene{600, 0, 1}},
      {"background noise (white, sd 250)", Scene{250, 0, 1}},
      {"microphone response (one-pole low-pass, a = 0.5)", Scene{0, 0.5, 1}},
      {"microphone response (one-pole low-pass, a = 0.2)", Scene{0, 0.2, 1}},
      {"gain change (-6 dB)", Scene{0, 0, 0.5}},
      {"gain change (-2 dB)", Scene{0, 0, 0.8}},
  };
  std::uint64_t seed = 200'000;
  for (const auto& c : cases) {
    const auto clips = pool(bench.analyzer, seed, 150, c.scene);
    seed += 1000;
    const std::size_t with_floor = bench.clips_to_alarm(clips, defaults);
    const std::size_t statistical = bench.clips_to_alarm(clips, no_floor);
    MESSAGE(std::string(c.name) << ": alarm in 10 of 10 draws from " << with_floor * 6
                                << " windows at the default settings (min_windows "
                                << bench.config.drift.min_windows << "); " << statistical * 6
                                << " windows without the min_windows floor");
    CHECK(with_floor > 0);
    CHECK(statistical > 0);
    CHECK(statistical <= with_floor);
  }
}
