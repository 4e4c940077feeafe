#pragma once
// Writes sets of clips as files: the reference for `driftd baseline import DIR` (clean clips
// in one folder per label — SPEC §2: a clip's label is its parent folder's name), and
// drifted sets of the same shape for `driftd compare` and Studio uploads.

#include <cstdint>
#include <filesystem>

#include "driftd/sim/scenario.hpp"
#include "driftd/util/result.hpp"

namespace driftd::sim {

// Writes `per_class` clips of each class as DIR/<label>/<label>-NNNN.wav (16 kHz mono
// int16, 1 s), creating folders as needed and replacing files of the same name: clean
// clips (sim::baseline_audio) when `scenario` is none, else drifted ones
// (sim::drifted_set_audio). Returns the number of files written, or an error (code
// write_failed) naming the path that could not be written.
Result<int> write_clip_set(const std::filesystem::path& dir, int per_class, std::uint64_t seed,
                           const Scenario& scenario);

}  // namespace driftd::sim
