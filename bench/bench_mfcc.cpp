// MFCC and clip-pipeline timings (docs/benchmarks.md, "MFCC"). Anchors for one 1 s window
// at 16 kHz with the default parameters: Edge Impulse's Python block 2.5 ms, its C++ SDK
// (float32) 0.39 ms.

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/audio/decoder.hpp"
#include "driftd/audio/mfcc.hpp"
#include "driftd/audio/resample.hpp"

namespace {

using driftd::audio::ClipAnalyzer;
using driftd::audio::MfccExtractor;

// A chirp plus a little deterministic noise, int16 scale.
std::vector<double> test_signal(std::size_t n, int rate) {
  std::vector<double> x(n);
  std::uint32_t s = 12345;
  for (std::size_t i = 0; i < n; ++i) {
    s = s * 1664525u + 1013904223u;
    const double t = static_cast<double>(i) / rate;
    const double phase = 2 * std::numbers::pi * (100 * t + 300 * t * t);
    x[i] = std::floor(6000 * std::sin(phase) + static_cast<double>((s >> 16) % 201) - 100.0);
  }
  return x;
}

std::vector<std::uint8_t> wav_bytes(const std::vector<double>& samples, int rate) {
  const auto data = static_cast<std::uint32_t>(samples.size() * 2);
  std::vector<std::uint8_t> w(44 + data);
  const auto put = [&w](std::size_t at, std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
      w[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
  };
  std::memcpy(w.data(), "RIFF", 4);
  put(4, 36 + data, 4);
  std::memcpy(w.data() + 8, "WAVEfmt ", 8);
  put(16, 16, 4);
  put(20, 1, 2);
  put(22, 1, 2);
  put(24, static_cast<std::uint32_t>(rate), 4);
  put(28, static_cast<std::uint32_t>(rate * 2), 4);
  put(32, 2, 2);
  put(34, 16, 2);
  std::memcpy(w.data() + 36, "data", 4);
  put(40, data, 4);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    put(44 + 2 * i, static_cast<std::uint32_t>(static_cast<std::int16_t>(samples[i])), 2);
  }
  return w;
}

driftd::config::Mfcc set_a() {
  driftd::config::Mfcc p;
  p.num_cepstral = 20;
  p.frame_length = 0.03;
  p.frame_stride = 0.01;
  p.num_filters = 40;
  p.fft_length = 512;
  p.low_frequency = 300;
  p.high_frequency = 7000;
  p.pre_cof = 0.97;
  return p;
}

MfccExtractor extractor(const driftd::config::Mfcc& params) {
  auto ex = MfccExtractor::create(params, 16000, 16000);
  if (!ex) throw std::runtime_error(ex.error().message);
  return std::move(ex.value());
}

void one_window(benchmark::State& state, const driftd::config::Mfcc& params) {
  const MfccExtractor ex = extractor(params);
  const std::vector<double> window = test_signal(16000, 16000);
  for (auto _ : state) {
    auto out = ex.compute(window);
    benchmark::DoNotOptimize(out.mfcc.values.data());
  }
}

void BM_mfcc_window_default(benchmark::State& state) {
  one_window(state, driftd::config::Mfcc{});
}
void BM_mfcc_window_set_a(benchmark::State& state) {
  one_window(state, set_a());
}

// A 10 s clip cut into 1 s windows every 300 ms (31 windows): shared frames vs each
// window on its own. Reports the time per window.
void BM_mfcc_clip_10s_shared(benchmark::State& state) {
  const MfccExtractor ex = extractor(driftd::config::Mfcc{});
  const std::vector<double> clip = test_signal(160000, 16000);
  auto starts = driftd::audio::window_starts(clip.size(), driftd::config::Features{});
  for (auto _ : state) {
    auto out = ex.compute_windows(clip, starts.value());
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["windows"] = static_cast<double>(starts->size());
  state.counters["per_window"] = benchmark::Counter(
      static_cast<double>(starts->size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_mfcc_clip_10s_unshared(benchmark::State& state) {
  const MfccExtractor ex = extractor(driftd::config::Mfcc{});
  const std::vector<double> clip = test_signal(160000, 16000);
  auto starts = driftd::audio::window_starts(clip.size(), driftd::config::Features{});
  for (auto _ : state) {
    for (const std::size_t s : starts.value()) {
      auto out = ex.compute(std::span<const double>(clip).subspan(s, 16000));
      benchmark::DoNotOptimize(out.mfcc.values.data());
    }
  }
  state.counters["per_window"] = benchmark::Counter(
      static_cast<double>(starts->size()),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// The whole ingest path for a 10 s 16 kHz WAV: decode, windows, MFCC, levels.
void BM_pipeline_wav_10s_16k(benchmark::State& state) {
  auto analyzer = ClipAnalyzer::create(driftd::config::Features{});
  const auto bytes = wav_bytes(test_signal(160000, 16000), 16000);
  for (auto _ : state) {
    auto clip = analyzer->analyze_bytes(bytes);
    benchmark::DoNotOptimize(clip.ok());
  }
}

// Decoding a 10 s 44.1 kHz PCM16 WAV and resampling it to 16 kHz, per quality.
void BM_decode_resample_44k_10s(benchmark::State& state) {
  const auto quality = static_cast<driftd::audio::ResampleQuality>(state.range(0));
  const auto bytes = wav_bytes(test_signal(441000, 44100), 44100);
  for (auto _ : state) {
    auto audio = driftd::audio::decode_audio(bytes);
    auto converted = driftd::audio::resample(audio->samples, 44100, 16000, quality);
    benchmark::DoNotOptimize(converted->data());
  }
}

void BM_decode_only_44k_10s(benchmark::State& state) {
  const auto bytes = wav_bytes(test_signal(441000, 44100), 44100);
  for (auto _ : state) {
    auto audio = driftd::audio::decode_audio(bytes);
    benchmark::DoNotOptimize(audio->samples.data());
  }
}

}  // namespace

BENCHMARK(BM_mfcc_window_default)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_mfcc_window_set_a)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_mfcc_clip_10s_shared)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_mfcc_clip_10s_unshared)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_pipeline_wav_10s_16k)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_decode_only_44k_10s)->Unit(benchmark::kMicrosecond);
// 0 = best, 1 = medium, 2 = fastest (driftd::audio::ResampleQuality)
BENCHMARK(BM_decode_resample_44k_10s)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
