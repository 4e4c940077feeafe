#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "driftd/audio/fft.hpp"

using driftd::audio::RealFft;

namespace {

std::vector<double> pseudo_random(std::size_t n, std::uint32_t seed) {
  std::vector<double> x(n);
  for (auto& v : x) {
    seed = seed * 1664525u + 1013904223u;
    v = static_cast<double>(seed >> 8) / 16777216.0 * 2000.0 - 1000.0;
  }
  return x;
}

// The DFT by its definition, with angles reduced exactly (k·n mod N) before the cosine.
void naive_dft(const std::vector<double>& x, std::vector<double>& re, std::vector<double>& im) {
  const std::size_t n = x.size();
  re.assign(n / 2 + 1, 0.0);
  im.assign(n / 2 + 1, 0.0);
  for (std::size_t k = 0; k <= n / 2; ++k) {
    long double sr = 0, si = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const long double angle = 2.0L * std::numbers::pi_v<long double> *
                                static_cast<long double>((k * j) % n) / static_cast<long double>(n);
      sr += x[j] * std::cos(angle);
      si -= x[j] * std::sin(angle);
    }
    re[k] = static_cast<double>(sr);
    im[k] = static_cast<double>(si);
  }
}

}  // namespace

TEST_CASE("the real FFT agrees with a naive DFT for every power of two up to 2048") {
  for (std::size_t n = 2; n <= 2048; n *= 2) {
    CAPTURE(n);
    const RealFft fft(n);
    REQUIRE(fft.bins() == n / 2 + 1);
    const std::vector<double> x = pseudo_random(n, static_cast<std::uint32_t>(n));
    std::vector<double> re(fft.bins()), im(fft.bins()), scratch(fft.scratch_size());
    fft.forward(x, re, im, scratch);
    std::vector<double> want_re, want_im;
    naive_dft(x, want_re, want_im);
    // Magnitudes reach about 1000·sqrt(n); allow a few ulps of that per stage.
    const double tolerance = 1e-12 * 1000.0 * static_cast<double>(n);
    double worst = 0;
    for (std::size_t k = 0; k < fft.bins(); ++k) {
      worst = std::max(worst, std::fabs(re[k] - want_re[k]));
      worst = std::max(worst, std::fabs(im[k] - want_im[k]));
    }
    CHECK(worst <= tolerance);
  }
}

TEST_CASE("the power spectrum is the squared magnitude of the spectrum") {
  const RealFft fft(256);
  const std::vector<double> x = pseudo_random(256, 7);
  std::vector<double> re(fft.bins()), im(fft.bins()), power(fft.bins()),
      scratch(fft.scratch_size());
  fft.forward(x, re, im, scratch);
  fft.power_spectrum(x, power, scratch);
  for (std::size_t k = 0; k < fft.bins(); ++k) {
    CHECK(power[k] == doctest::Approx(re[k] * re[k] + im[k] * im[k]).epsilon(1e-12));
  }
}

TEST_CASE("a cosine on an exact bin puts all its energy in that bin") {
  const std::size_t n = 512;
  const RealFft fft(n);
  std::vector<double> x(n);
  for (std::size_t j = 0; j < n; ++j) {
    x[j] = std::cos(2 * std::numbers::pi * 37.0 * static_cast<double>(j) / static_cast<double>(n));
  }
  std::vector<double> power(fft.bins()), scratch(fft.scratch_size());
  fft.power_spectrum(x, power, scratch);
  CHECK(power[37] == doctest::Approx(256.0 * 256.0).epsilon(1e-12));
  for (std::size_t k = 0; k < fft.bins(); ++k) {
    if (k != 37) CHECK(power[k] < 1e-18);
  }
}

TEST_CASE("exact zeros and constants stay exact") {
  const RealFft fft(256);
  std::vector<double> power(fft.bins()), scratch(fft.scratch_size());
  fft.power_spectrum(std::vector<double>(256, 0.0), power, scratch);
  for (const double p : power) CHECK(p == 0.0);
  fft.power_spectrum(std::vector<double>(256, 3.0), power, scratch);
  CHECK(power[0] == 768.0 * 768.0);
}

TEST_CASE("sizes that are not powers of two are refused") {
  for (const std::size_t n : {0, 1, 3, 6, 100, 257}) {
    CAPTURE(n);
    CHECK_FALSE(RealFft::is_valid_size(n));
    CHECK_THROWS_AS(RealFft{n}, std::invalid_argument);
  }
  CHECK(RealFft::is_valid_size(2));
  CHECK(RealFft::is_valid_size(65536));
}
