#pragma once
// Second-order IIR filters (biquads) for shaping simulated audio: the breathing noise of
// the "sleeping" class and the changed microphone responses of the `mic` drift scenario.
// Coefficients follow the well-known bilinear-transform designs of analog prototypes
// (low-pass, high-pass, peaking); the response at a frequency is available in closed form
// so tests can check a filter against its design.

#include <span>
#include <vector>

namespace driftd::sim {

class Biquad {
 public:
  // Low-pass with corner `cutoff_hz` (−3 dB at Q = 1/√2) at `sample_rate_hz`.
  static Biquad low_pass(double cutoff_hz, double q, double sample_rate_hz);
  // High-pass with corner `cutoff_hz` (−3 dB at Q = 1/√2).
  static Biquad high_pass(double cutoff_hz, double q, double sample_rate_hz);
  // Peaking filter: `gain_db` at `center_hz`, unity far from it; `q` sets the width.
  static Biquad peaking(double center_hz, double q, double gain_db, double sample_rate_hz);

  // Filters `input` from a zero state (the filter keeps no memory between calls).
  std::vector<double> apply(std::span<const double> input) const;

  // |H(e^{jω})| at `frequency_hz`, as a linear factor.
  double magnitude_at(double frequency_hz) const;

 private:
  Biquad(double b0, double b1, double b2, double a0, double a1, double a2, double rate);

  double m_b0, m_b1, m_b2, m_a1, m_a2;  // normalized so that a0 = 1
  double m_sample_rate_hz;
};

}  // namespace driftd::sim
