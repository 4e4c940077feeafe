#pragma once
// Signal level of a window, as the drift features and `driftd features` report it.

#include <span>

namespace driftd::audio {

// The floor of rms_dbfs(): silence and anything quieter.
inline constexpr double k_rms_floor_dbfs = -120.0;

// 20·log10(RMS / 32768) of int16-scale samples (no DC removal), at least -120; -120 for
// no samples. A full-scale square wave gives about 0 dB.
double rms_dbfs(std::span<const double> samples);

}  // namespace driftd::audio
