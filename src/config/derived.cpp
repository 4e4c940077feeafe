#include "driftd/config/derived.hpp"

#include <cmath>

namespace driftd::config {

namespace {

// How the MFCC block turns seconds into samples. Version 1 rounds to nearest; later
// versions round up, except that a product within 0.001 above a whole number (a float
// artefact such as 320.0000001) rounds down.
std::int64_t seconds_to_samples(double seconds, const Features& f) {
  const double samples = seconds * f.sample_rate_hz;
  if (f.mfcc.implementation_version == 1) return std::llround(samples);
  const double whole = std::floor(samples);
  const double fraction = samples - whole;
  if (fraction > 0 && fraction < 0.001) return static_cast<std::int64_t>(whole);
  return static_cast<std::int64_t>(std::ceil(samples));
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

std::int64_t window_samples(const Features& f) {
  return static_cast<std::int64_t>(f.sample_rate_hz) * f.window_ms / 1000;
}

std::int64_t frame_length_samples(const Features& f) {
  return seconds_to_samples(f.mfcc.frame_length, f);
}

std::int64_t frame_stride_samples(const Features& f) {
  return seconds_to_samples(f.mfcc.frame_stride, f);
}

std::int64_t frames_per_window(const Features& f) {
  const std::int64_t n = window_samples(f);
  const std::int64_t length = frame_length_samples(f);
  const std::int64_t stride = frame_stride_samples(f);
  if (stride <= 0) return 0;
  if (f.mfcc.implementation_version == 1) return floor_div(n - length, stride);
  return floor_div(n - (length - stride), stride);
}

double effective_high_frequency(const Features& f) {
  return f.mfcc.high_frequency == 0 ? f.sample_rate_hz / 2.0 : f.mfcc.high_frequency;
}

}  // namespace driftd::config
