#pragma once
// Values that follow from several feature keys, computed the way Edge Impulse's MFCC
// block computes them, so that validation and feature extraction agree.

#include <cstdint>

#include "driftd/config/config.hpp"

namespace driftd::config {

// Audio samples in one window: sample_rate_hz * window_ms / 1000, rounded down.
std::int64_t window_samples(const Features& f);

// Samples per MFCC frame and per frame step, as the block rounds them for its
// implementation_version (version 1 rounds to nearest; later versions round up unless the
// product is within 0.001 above a whole number, then down).
std::int64_t frame_length_samples(const Features& f);
std::int64_t frame_stride_samples(const Features& f);

// MFCC frames in one window (version 1: floor((N-L)/S); later: floor((N-(L-S))/S)).
// Zero or negative when a frame does not fit in the window; 0 when the stride is 0.
std::int64_t frames_per_window(const Features& f);

// The mel filterbank's upper edge in Hz: high_frequency, or sample_rate_hz / 2 when it is 0.
double effective_high_frequency(const Features& f);

}  // namespace driftd::config
