#pragma once
// Double-precision FFT of real input whose length is a power of two (see fft.cpp for the
// method and its cost). Pure: no allocation after construction, no global state.

#include <cstddef>
#include <span>
#include <vector>

namespace driftd::audio {

// A planned forward transform of `size()` real samples. Immutable after construction,
// so one plan may be shared by several threads as long as each passes its own scratch.
class RealFft {
 public:
  // True for a power of two in [2, 2^20].
  static bool is_valid_size(std::size_t size);

  // Plans a transform of `size` samples: twiddles and the bit-reversal order are computed
  // here, once. Throws std::invalid_argument when !is_valid_size(size).
  explicit RealFft(std::size_t size);

  std::size_t size() const { return m_size; }
  // Number of output bins, size()/2 + 1 (DC to Nyquist).
  std::size_t bins() const { return m_size / 2 + 1; }
  // Number of doubles the scratch span of forward()/power_spectrum() must hold.
  std::size_t scratch_size() const { return m_size; }

  // X[k] = sum_n input[n]·exp(-2πi·k·n/size) for k = 0..size/2, unnormalized, written as
  // real and imaginary parts. `input` holds exactly size() samples; `re` and `im` hold
  // bins(); `scratch` holds scratch_size(). Spans of the wrong size are a programming error.
  void forward(std::span<const double> input, std::span<double> re, std::span<double> im,
               std::span<double> scratch) const;

  // |X[k]|² (re² + im²) for k = 0..size/2, the same sizes as forward().
  void power_spectrum(std::span<const double> input, std::span<double> power,
                      std::span<double> scratch) const;

 private:
  void complex_transform(std::span<const double> input, double* zr, double* zi) const;

  std::size_t m_size;                 // real length n
  std::size_t m_half;                 // complex length n/2
  std::vector<std::size_t> m_bitrev;  // bit-reversal permutation of 0..n/2-1
  std::vector<double> m_stage_cos;    // per-stage twiddles, stage after stage
  std::vector<double> m_stage_sin;
  std::vector<double> m_unpack_cos;  // cos(2πk/n), sin(2πk/n) for k = 0..n/4
  std::vector<double> m_unpack_sin;
};

}  // namespace driftd::audio
