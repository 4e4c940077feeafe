// Per-frame MFCC work and its reuse across overlapping windows.
//
// A frame's cepstra depend only on its pre-emphasized samples. Pre-emphasis is circular
// per window (the first pre_shift samples of a window subtract the window's last
// samples), so the frames whose first sample lies before pre_shift differ from window to
// window; every other frame sees y[n] = x[n] - pre_cof·x[n - pre_shift], the same for any
// window that contains it. compute_windows() therefore keys those frames by their
// position in the clip and computes each once; with the defaults (20 ms stride, windows
// every 300 ms) a new window costs 16 frames instead of 50. The shared and the per-window
// path evaluate the same expressions on the same values, so results are bit-identical.

#include <cassert>
#include <cmath>
#include <cstring>

#include "driftd/audio/mfcc.hpp"

namespace driftd::audio {

namespace {
constexpr double k_zero_floor = 1e-10;  // the reference replaces zero energies with this
}  // namespace

MfccExtractor::Scratch MfccExtractor::make_scratch() const {
  Scratch s;
  s.frame.assign(m_fft.size(), 0.0);  // samples past m_used stay zero (FFT zero-padding)
  s.fft.assign(m_fft.scratch_size(), 0.0);
  s.power.assign(m_fft.bins(), 0.0);
  s.log_mel.assign(m_filters, 0.0);
  return s;
}

void MfccExtractor::fill_window_frame(std::span<const double> window, std::size_t frame,
                                      Scratch& s) const {
  const std::size_t begin = frame * m_stride;
  for (std::size_t t = 0; t < m_used; ++t) {
    const std::size_t n = begin + t;
    const std::size_t prev = n >= m_shift ? n - m_shift : n + m_window - m_shift;
    s.frame[t] = window[n] - m_pre_cof * window[prev];
  }
}

void MfccExtractor::fill_plain_frame(const double* at, Scratch& s) const {
  const double* prev = at - m_shift;
  double* out = s.frame.data();
  for (std::size_t t = 0; t < m_used; ++t) out[t] = at[t] - m_pre_cof * prev[t];
}

void MfccExtractor::cepstra(Scratch& s, std::span<double> out) const {
  m_fft.power_spectrum(s.frame, s.power, s.fft);
  double* power = s.power.data();
  const std::size_t bins = s.power.size();
  double energy = 0;
  for (std::size_t k = 0; k < bins; ++k) {
    power[k] *= m_inv_fft;
    energy += power[k];
  }
  if (energy == 0) energy = k_zero_floor;
  for (std::size_t f = 0; f < m_filters; ++f) {
    const double* w = m_filter_weights.data() + m_filter_offset[f];
    const double* p = power + m_filter_start[f];
    double sum = 0;
    for (std::size_t i = 0; i < m_filter_size[f]; ++i) sum += p[i] * w[i];
    s.log_mel[f] = std::log(sum == 0 ? k_zero_floor : sum);
  }
  // DCT-II, filters in the outer loop (m_dct is stored filter-major) so that the
  // coefficients accumulate side by side; each still sums its terms in filter order.
  double* acc = out.data();
  for (std::size_t c = 0; c < m_cepstral; ++c) acc[c] = 0.0;
  for (std::size_t f = 0; f < m_filters; ++f) {
    const double* column = m_dct.data() + f * m_cepstral;
    const double v = s.log_mel[f];
    for (std::size_t c = 1; c < m_cepstral; ++c) acc[c] += column[c] * v;
  }
  acc[0] = std::log(energy);  // column 0 is replaced by the log frame energy
}

WindowMfcc MfccExtractor::compute(std::span<const double> window) const {
  assert(window.size() == m_window);
  WindowMfcc out;
  out.mfcc_raw = FeatureMatrix(m_frames, m_cepstral);
  Scratch s = make_scratch();
  for (std::size_t k = 0; k < m_frames; ++k) {
    fill_window_frame(window, k, s);
    cepstra(s, out.mfcc_raw.row(k));
  }
  out.mfcc =
      m_params.win_size > 0 ? cmvn_sliding(out.mfcc_raw, m_params.win_size, m_cmvn) : out.mfcc_raw;
  return out;
}

std::vector<WindowMfcc> MfccExtractor::compute_windows(std::span<const double> clip,
                                                       std::span<const std::size_t> starts) const {
  std::vector<WindowMfcc> results;
  results.reserve(starts.size());
  Scratch s = make_scratch();
  // One slot per clip position that is a multiple of the stride.
  const std::size_t slots = clip.size() / m_stride + 1;
  std::vector<double> cache(slots * m_cepstral);
  std::vector<unsigned char> ready(slots, 0);
  for (const std::size_t start : starts) {
    assert(start <= clip.size() && clip.size() - start >= m_window);
    const std::span<const double> window = clip.subspan(start, m_window);
    WindowMfcc out;
    out.mfcc_raw = FeatureMatrix(m_frames, m_cepstral);
    for (std::size_t k = 0; k < m_frames; ++k) {
      const std::span<double> row = out.mfcc_raw.row(k);
      if (touches_wrap(k)) {
        fill_window_frame(window, k, s);
        cepstra(s, row);
        continue;
      }
      const std::size_t at = start + k * m_stride;
      if (at % m_stride != 0) {
        fill_plain_frame(clip.data() + at, s);
        cepstra(s, row);
        continue;
      }
      const std::size_t slot = at / m_stride;
      double* cached = cache.data() + slot * m_cepstral;
      if (ready[slot] == 0) {
        fill_plain_frame(clip.data() + at, s);
        cepstra(s, std::span<double>(cached, m_cepstral));
        ready[slot] = 1;
      }
      std::memcpy(row.data(), cached, m_cepstral * sizeof(double));
    }
    out.mfcc = m_params.win_size > 0 ? cmvn_sliding(out.mfcc_raw, m_params.win_size, m_cmvn)
                                     : out.mfcc_raw;
    results.push_back(std::move(out));
  }
  return results;
}

}  // namespace driftd::audio
