#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "driftd/audio/audio_errors.hpp"
#include "driftd/audio/fft.hpp"
#include "driftd/audio/levels.hpp"
#include "driftd/audio/mfcc.hpp"
#include "driftd/audio/resample.hpp"
#include "support/audio_fixtures.hpp"

using driftd::audio::resample;
using driftd::audio::ResampleQuality;
using driftd::test::tone;

TEST_CASE("equal rates pass the samples through unchanged") {
  const std::vector<double> x = tone(440, 8000, 16000, 1000);
  auto y = resample(x, 16000, 16000);
  REQUIRE(y.ok());
  CHECK(y.value() == x);
}

TEST_CASE("a 1 kHz tone at 44.1 kHz resampled to 16 kHz peaks in the 1 kHz bin") {
  const std::vector<double> x = tone(1000, 8000, 44100, 44100);
  for (const auto quality : {ResampleQuality::best, ResampleQuality::medium}) {
    auto y = resample(x, 44100, 16000, quality);
    REQUIRE(y.ok());
    CHECK(y->size() == 16000);
    const std::size_t n = 8192;  // 16000/8192 Hz per bin: 1 kHz is bin 512
    const driftd::audio::RealFft fft(n);
    std::vector<double> power(fft.bins()), scratch(fft.scratch_size());
    fft.power_spectrum(std::span<const double>(y.value()).subspan(4000, n), power, scratch);
    const auto peak = std::max_element(power.begin(), power.end()) - power.begin();
    CHECK(peak == 512);
    // The level is kept: RMS of an 8000-amplitude sine.
    const double level =
        driftd::audio::rms_dbfs(std::span<const double>(y.value()).subspan(1000, 14000));
    CHECK(level == doctest::Approx(20 * std::log10(8000 / std::sqrt(2.0) / 32768)).epsilon(1e-3));
  }
}

TEST_CASE("the MFCC of a resampled tone matches the same tone generated at 16 kHz") {
  // 1003 Hz: not a divisor of the frame stride, so the window's statistics are not constant.
  auto resampled = resample(tone(1003, 8000, 44100, 44100), 44100, 16000);
  REQUIRE(resampled.ok());
  resampled->resize(16000, 0.0);
  const std::vector<double> native = tone(1003, 8000, 16000, 16000);
  auto ex = driftd::audio::MfccExtractor::create(driftd::config::Mfcc{}, 16000, 16000);
  REQUIRE(ex.ok());
  const auto a = ex->compute(resampled.value()).mfcc_raw;
  const auto b = ex->compute(native).mfcc_raw;
  double worst = 0;
  for (std::size_t r = 1; r + 1 < a.rows; ++r) {  // edge frames see the converter's ramp
    for (std::size_t c = 0; c < 6; ++c) worst = std::max(worst, std::fabs(a.at(r, c) - b.at(r, c)));
  }
  MESSAGE("max |Δ| of mfcc_raw (coefficients 0-5), resampled vs native: ", worst);
  CHECK(worst < 0.05);
}

TEST_CASE("the output has exactly round(N * to / from) samples at every common rate") {
  for (const int from : {8000, 11025, 22050, 32000, 44100, 48000, 96000}) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{137}, std::size_t{4410},
                                static_cast<std::size_t>(from) * 5 / 2}) {
      const std::vector<double> x = tone(440, 3000, from, n);
      for (const auto quality : {ResampleQuality::best, ResampleQuality::medium}) {
        auto y = resample(x, from, 16000, quality);
        REQUIRE(y.ok());
        const auto exact = static_cast<std::size_t>(
            std::llround(static_cast<double>(n) * 16000.0 / static_cast<double>(from)));
        CHECK_MESSAGE(y->size() == exact, from, " Hz, ", n, " samples");
      }
    }
  }
}

TEST_CASE("rates the converter cannot bridge are refused") {
  const std::vector<double> x(100, 0.0);
  auto r = resample(x, 1000, 384000);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == driftd::audio::k_resample_failed);
  CHECK_FALSE(resample(x, 0, 16000).ok());
}
