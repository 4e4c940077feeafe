#pragma once
// Edge Impulse's "Audio (MFCC)" block, computed exactly as its Python reference does
// (implementation versions 1–4; ../shared/testdata/mfcc/README.md), in double precision.
// An MfccExtractor is planned once per (parameters, sample rate, window length) and then
// applied to any number of windows; it is immutable, so threads may share one.

#include <cstddef>
#include <span>
#include <vector>

#include "driftd/audio/cmvn.hpp"
#include "driftd/audio/feature_matrix.hpp"
#include "driftd/audio/fft.hpp"
#include "driftd/config/config.hpp"
#include "driftd/util/result.hpp"

namespace driftd::audio {

// The MFCC of one window.
struct WindowMfcc {
  FeatureMatrix mfcc;      // frames × num_cepstral, after CMVN (= mfcc_raw when win_size 0)
  FeatureMatrix mfcc_raw;  // frames × num_cepstral, before CMVN (column 0 = ln frame energy)
};

class MfccExtractor {
 public:
  // Validates the parameters and precomputes everything that depends on them: frame
  // geometry, FFT plan, mel filterbank (as sparse rows), DCT matrix. Refuses, with code
  // invalid_features_config and `field` = "features.mfcc.<key>" (or features.sample_rate_hz
  // / features.window_ms): implementation_version outside 1..4, num_cepstral < 1 or >
  // num_filters, num_filters < 2, fft_length not a power of two in 2..65536, frame
  // length/stride not positive, win_size negative or even, low_frequency < 0,
  // high_frequency above rate/2, pre_shift < 1, a frame count outside 1..500 for this
  // window length, or an empty mel filter.
  static Result<MfccExtractor> create(const config::Mfcc& params, int sample_rate_hz,
                                      std::size_t window_samples, const CmvnOptions& cmvn = {});

  const config::Mfcc& params() const { return m_params; }
  int sample_rate_hz() const { return m_rate; }
  std::size_t window_samples() const { return m_window; }
  std::size_t num_frames() const { return m_frames; }
  std::size_t num_cepstral() const { return m_cepstral; }
  std::size_t frame_length() const { return m_frame_length; }  // samples
  std::size_t frame_stride() const { return m_stride; }        // samples

  // The block's output for one window of exactly window_samples() samples at int16 scale.
  WindowMfcc compute(std::span<const double> window) const;

  // compute() for the windows of `clip` starting at each of `starts` (each start +
  // window_samples() must fit in the clip). Frames that do not touch a window's circular
  // pre-emphasis wrap are computed once per clip position and shared between overlapping
  // windows; every result is bit-identical to compute() on that window alone.
  std::vector<WindowMfcc> compute_windows(std::span<const double> clip,
                                          std::span<const std::size_t> starts) const;

  // The mel filterbank weights as a dense num_filters × (fft_length/2 + 1) matrix, for
  // tests and documentation.
  FeatureMatrix filterbank() const;

 private:
  MfccExtractor(const config::Mfcc& params, int rate, std::size_t window);

  struct Scratch {
    std::vector<double> frame;    // fft_length
    std::vector<double> fft;      // RealFft scratch
    std::vector<double> power;    // fft_length/2 + 1
    std::vector<double> log_mel;  // num_filters
  };
  Scratch make_scratch() const;
  // Pre-emphasized samples of frame `frame` of `window`, wrap included, into s.frame.
  void fill_window_frame(std::span<const double> window, std::size_t frame, Scratch& s) const;
  // Pre-emphasized samples of a frame that does not touch the wrap, starting at `at`
  // (at[-shift] must be readable).
  void fill_plain_frame(const double* at, Scratch& s) const;
  // Power spectrum → energy, mel, log, DCT of s.frame into `out` (num_cepstral values).
  void cepstra(Scratch& s, std::span<double> out) const;
  bool touches_wrap(std::size_t frame) const { return frame * m_stride < m_shift; }

  config::Mfcc m_params;
  CmvnOptions m_cmvn;
  int m_rate = 0;
  std::size_t m_window = 0;        // N, samples per window
  std::size_t m_frame_length = 0;  // L
  std::size_t m_stride = 0;        // S
  std::size_t m_used = 0;          // min(L, fft_length): samples of a frame the FFT sees
  std::size_t m_frames = 0;
  std::size_t m_shift = 0;  // pre_shift mod N
  std::size_t m_cepstral = 0;
  std::size_t m_filters = 0;
  double m_pre_cof = 0;
  double m_inv_fft = 0;
  RealFft m_fft;
  std::vector<std::size_t> m_filter_start;   // first bin of each filter row
  std::vector<std::size_t> m_filter_offset;  // its weights in m_filter_weights
  std::vector<std::size_t> m_filter_size;
  std::vector<double> m_filter_weights;
  std::vector<double> m_dct;  // orthonormal DCT-II, filter-major: [f * num_cepstral + c]
};

}  // namespace driftd::audio
