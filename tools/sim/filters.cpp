// Biquad design: an analog second-order section mapped to the digital domain with the
// bilinear transform, pre-warped so the corner or centre lands exactly at the requested
// frequency. Filtering is the transposed direct form II, in double precision; at audio
// rates and the corner frequencies used here it is numerically unremarkable.
#include "driftd/sim/filters.hpp"

#include <cmath>
#include <complex>
#include <numbers>

namespace driftd::sim {

namespace {

struct Angles {
  double cos_w;
  double alpha;
};

Angles angles(double frequency_hz, double q, double sample_rate_hz) {
  const double w = 2.0 * std::numbers::pi * frequency_hz / sample_rate_hz;
  return {std::cos(w), std::sin(w) / (2.0 * q)};
}

}  // namespace

Biquad::Biquad(double b0, double b1, double b2, double a0, double a1, double a2, double rate)
    : m_b0(b0 / a0),
      m_b1(b1 / a0),
      m_b2(b2 / a0),
      m_a1(a1 / a0),
      m_a2(a2 / a0),
      m_sample_rate_hz(rate) {}

Biquad Biquad::low_pass(double cutoff_hz, double q, double sample_rate_hz) {
  const auto [c, alpha] = angles(cutoff_hz, q, sample_rate_hz);
  return Biquad((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha, sample_rate_hz);
}

Biquad Biquad::high_pass(double cutoff_hz, double q, double sample_rate_hz) {
  const auto [c, alpha] = angles(cutoff_hz, q, sample_rate_hz);
  return Biquad((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha, sample_rate_hz);
}

Biquad Biquad::peaking(double center_hz, double q, double gain_db, double sample_rate_hz) {
  const auto [c, alpha] = angles(center_hz, q, sample_rate_hz);
  const double a = std::pow(10.0, gain_db / 40.0);
  return Biquad(1 + alpha * a, -2 * c, 1 - alpha * a, 1 + alpha / a, -2 * c, 1 - alpha / a,
                sample_rate_hz);
}

std::vector<double> Biquad::apply(std::span<const double> input) const {
  std::vector<double> out(input.size());
  double s1 = 0;
  double s2 = 0;
  for (std::size_t i = 0; i < input.size(); ++i) {
    const double x = input[i];
    const double y = m_b0 * x + s1;
    s1 = m_b1 * x - m_a1 * y + s2;
    s2 = m_b2 * x - m_a2 * y;
    out[i] = y;
  }
  return out;
}

double Biquad::magnitude_at(double frequency_hz) const {
  const double w = 2.0 * std::numbers::pi * frequency_hz / m_sample_rate_hz;
  const std::complex<double> z1 = std::polar(1.0, -w);
  const std::complex<double> z2 = z1 * z1;
  return std::abs((m_b0 + m_b1 * z1 + m_b2 * z2) / (1.0 + m_a1 * z1 + m_a2 * z2));
}

}  // namespace driftd::sim
