// Planning an MfccExtractor: parameter validation, frame geometry and the mel filterbank,
// each computed with the same floating-point expressions, in the same order, as the
// Python reference, so that bin edges (floors of products) land on the same integers.

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <string>

#include "driftd/audio/audio_errors.hpp"
#include "driftd/audio/mfcc.hpp"

namespace driftd::audio {

namespace {

constexpr int k_max_fft_length = 65536;
constexpr int k_max_frames = 500;

Error invalid(const std::string& key, const std::string& message) {
  return make_error(k_invalid_features_config, message, "features.mfcc." + key);
}

// ceil(v), except floor(v) when v is less than 0.001 above an integer (float noise in
// values such as 16000 × 0.018).
double ceil_unless_close_to_floor(double v) {
  const double f = std::floor(v);
  return (v > f && v - f < 0.001) ? f : std::ceil(v);
}

double frequency_to_mel(double hz) {
  return 1127.0 * std::log(1.0 + hz / 700.0);
}
double mel_to_frequency(double mel) {
  return 700.0 * (std::exp(mel / 1127.0) - 1.0);
}

std::optional<Error> check_scalars(const config::Mfcc& p, int rate) {
  if (p.implementation_version < 1 || p.implementation_version > 4) {
    return invalid("implementation_version", "implementation_version must be 1, 2, 3 or 4");
  }
  if (p.num_filters < 2) return invalid("num_filters", "num_filters must be at least 2");
  if (p.num_cepstral < 1 || p.num_cepstral > p.num_filters) {
    return invalid("num_cepstral", "num_cepstral must be between 1 and num_filters");
  }
  if (p.fft_length < 2 || p.fft_length > k_max_fft_length ||
      (p.fft_length & (p.fft_length - 1)) != 0) {
    return invalid("fft_length", "fft_length must be a power of two between 2 and 65536");
  }
  if (!(p.frame_length > 0) || !std::isfinite(p.frame_length)) {
    return invalid("frame_length", "frame_length must be a positive number of seconds");
  }
  if (!(p.frame_stride > 0) || !std::isfinite(p.frame_stride)) {
    return invalid("frame_stride", "frame_stride must be a positive number of seconds");
  }
  if (p.win_size < 0 || (p.win_size > 0 && p.win_size % 2 == 0)) {
    return invalid("win_size", "win_size must be 0 (off) or an odd number of frames");
  }
  if (!(p.low_frequency >= 0) || !std::isfinite(p.low_frequency)) {
    return invalid("low_frequency", "low_frequency must be 0 Hz or more");
  }
  const double nyquist = rate / 2.0;
  if (!(p.high_frequency >= 0) || !(p.high_frequency <= nyquist)) {
    return invalid("high_frequency", "high_frequency must be between 0 (meaning " +
                                         std::to_string(rate / 2) +
                                         " Hz) and half the sample rate");
  }
  if (p.pre_shift < 1) return invalid("pre_shift", "pre_shift must be at least 1");
  if (!std::isfinite(p.pre_cof)) return invalid("pre_cof", "pre_cof must be a finite number");
  return std::nullopt;
}

}  // namespace

MfccExtractor::MfccExtractor(const config::Mfcc& params, int rate, std::size_t window)
    : m_params(params),
      m_rate(rate),
      m_window(window),
      m_fft(static_cast<std::size_t>(params.fft_length)) {}

Result<MfccExtractor> MfccExtractor::create(const config::Mfcc& p, int sample_rate_hz,
                                            std::size_t window_samples, const CmvnOptions& cmvn) {
  if (sample_rate_hz < k_min_sample_rate_hz || sample_rate_hz > k_max_sample_rate_hz) {
    return make_error(k_invalid_features_config, "sample_rate_hz must be between 1000 and 384000",
                      "features.sample_rate_hz");
  }
  if (window_samples < 1 || window_samples > (std::size_t{1} << 31)) {
    return make_error(k_invalid_features_config, "the window must hold at least one sample",
                      "features.window_ms");
  }
  if (auto error = check_scalars(p, sample_rate_hz)) return *error;

  // Frame geometry (stack_frames without zero padding).
  const auto fs = static_cast<double>(sample_rate_hz);
  const double length_v = fs * p.frame_length;
  const double length = p.implementation_version == 1 ? std::nearbyint(length_v)
                                                      : ceil_unless_close_to_floor(length_v);
  const double stride = ceil_unless_close_to_floor(fs * p.frame_stride);
  const auto n = static_cast<double>(window_samples);
  if (!(length >= 1) || length > n) {
    return invalid("frame_length", "frame_length gives frames of " +
                                       std::to_string(static_cast<long long>(length)) +
                                       " samples, which do not fit in one window");
  }
  if (!(stride >= 1) || stride > n) {
    return invalid("frame_stride", "frame_stride must be between one sample and one window");
  }
  const double frames = p.implementation_version == 1
                            ? std::floor((n - length) / stride)
                            : std::floor((n - (length - stride)) / stride);
  if (!(frames >= 1) || frames > k_max_frames) {
    return invalid("frame_stride", "the parameters give " +
                                       std::to_string(static_cast<long long>(frames)) +
                                       " frames per window; 1 to 500 are allowed");
  }

  MfccExtractor ex(p, sample_rate_hz, window_samples);
  ex.m_cmvn = cmvn;
  ex.m_frame_length = static_cast<std::size_t>(length);
  ex.m_stride = static_cast<std::size_t>(stride);
  ex.m_used = std::min(ex.m_frame_length, static_cast<std::size_t>(p.fft_length));
  ex.m_frames = static_cast<std::size_t>(frames);
  ex.m_shift = static_cast<std::size_t>(p.pre_shift) % window_samples;
  ex.m_cepstral = static_cast<std::size_t>(p.num_cepstral);
  ex.m_filters = static_cast<std::size_t>(p.num_filters);
  ex.m_pre_cof = p.pre_cof;
  ex.m_inv_fft = 1.0 / p.fft_length;  // exact: a power of two

  // Mel filterbank: num_filters + 2 points evenly spaced in mel (numpy.linspace), back to
  // Hz, the last lowered by 1 mHz, then floored to FFT bins.
  const std::size_t coefficients = ex.m_fft.bins();
  const double high = p.high_frequency == 0 ? fs / 2 : p.high_frequency;
  const double mel_low = frequency_to_mel(p.low_frequency);
  const double mel_high = frequency_to_mel(high);
  const std::size_t points = ex.m_filters + 2;
  const double step = (mel_high - mel_low) / static_cast<double>(points - 1);
  const double fft_points = p.implementation_version >= 4
                                ? static_cast<double>((coefficients - 1) * 2)
                                : static_cast<double>(coefficients);  // the old-mels formula
  std::vector<long long> bin(points);
  for (std::size_t i = 0; i < points; ++i) {
    const double mel = (i + 1 == points) ? mel_high : static_cast<double>(i) * step + mel_low;
    double hz = mel_to_frequency(mel);
    if (i + 1 == points) hz -= 0.001;
    bin[i] = static_cast<long long>(std::floor((fft_points + 1) * hz / fs));
  }
  for (std::size_t f = 0; f < ex.m_filters; ++f) {
    const long long left = bin[f], middle = bin[f + 1], right = bin[f + 2];
    if (left < 0 || right >= static_cast<long long>(coefficients)) {
      return invalid("num_filters",
                     "mel filter " + std::to_string(f) + " reaches outside the spectrum");
    }
    std::vector<double> weights;
    long long first = -1;
    for (long long k = left; k <= right; ++k) {
      const auto x = static_cast<double>(k);
      double w = 0;
      if (left < k && k <= middle) w = (x - left) / static_cast<double>(middle - left);
      if (middle <= k && k < right) w = (right - x) / static_cast<double>(right - middle);
      if (w != 0 && first < 0) first = k;
      if (first >= 0) weights.push_back(w);
    }
    while (!weights.empty() && weights.back() == 0) weights.pop_back();
    if (weights.empty()) {
      return invalid("num_filters", "mel filter " + std::to_string(f) +
                                        " covers no FFT bin: lower num_filters, raise "
                                        "fft_length or widen the frequency range");
    }
    ex.m_filter_start.push_back(static_cast<std::size_t>(first));
    ex.m_filter_offset.push_back(ex.m_filter_weights.size());
    ex.m_filter_size.push_back(weights.size());
    ex.m_filter_weights.insert(ex.m_filter_weights.end(), weights.begin(), weights.end());
  }

  // Orthonormal DCT-II (scipy.fftpack.dct(type=2, norm='ortho')), first num_cepstral rows,
  // stored filter-major: m_dct[f * num_cepstral + c].
  const auto filters = static_cast<double>(ex.m_filters);
  ex.m_dct.resize(ex.m_cepstral * ex.m_filters);
  for (std::size_t c = 0; c < ex.m_cepstral; ++c) {
    const double scale = c == 0 ? std::sqrt(1.0 / filters) : std::sqrt(2.0 / filters);
    for (std::size_t f = 0; f < ex.m_filters; ++f) {
      const double angle = std::numbers::pi * static_cast<double>(c) *
                           static_cast<double>(2 * f + 1) / (2.0 * filters);
      ex.m_dct[f * ex.m_cepstral + c] = scale * std::cos(angle);
    }
  }
  return ex;
}

FeatureMatrix MfccExtractor::filterbank() const {
  FeatureMatrix dense(m_filters, m_fft.bins());
  for (std::size_t f = 0; f < m_filters; ++f) {
    for (std::size_t i = 0; i < m_filter_size[f]; ++i) {
      dense.at(f, m_filter_start[f] + i) = m_filter_weights[m_filter_offset[f] + i];
    }
  }
  return dense;
}

}  // namespace driftd::audio
