#pragma once
// Sample-rate conversion with libsamplerate's band-limited sinc converters.

#include <span>
#include <vector>

#include "driftd/util/result.hpp"

namespace driftd::audio {

enum class ResampleQuality { best, medium, fastest };

// The quality driftd uses (docs/features.md says why: measured speed against accuracy).
inline constexpr ResampleQuality k_default_resample_quality = ResampleQuality::medium;

// Converts mono `samples` (any scale) from `from_hz` to `to_hz`. Equal rates return an
// exact copy. The output has about samples.size() * to_hz / from_hz samples, aligned in
// time with the input (the converter's delay is compensated). libsamplerate computes in
// single precision internally, about 140 dB below full scale, far below int16 noise.
// Refuses non-positive rates or a ratio beyond 1/256..256 (resample_failed).
Result<std::vector<double>> resample(std::span<const double> samples, int from_hz, int to_hz,
                                     ResampleQuality quality = k_default_resample_quality);

}  // namespace driftd::audio
