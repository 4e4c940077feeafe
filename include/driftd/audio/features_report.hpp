#pragma once
// `driftd features [--json] FILE.wav` (SPEC §2, §5): the features of every window of one
// clip, as JSON for parity checks against Studio or as a readable table.

#include <iosfwd>
#include <string>

#include <nlohmann/json.hpp>

#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/config/config.hpp"

namespace driftd::audio {

// {"sample_rate_hz": R, "windows": [{"start_ms", "mfcc": [[...]], "mfcc_raw": [[...]],
// "rms_dbfs"}]}; matrices are frames × num_cepstral, numbers at full double precision.
nlohmann::json features_to_json(const ClipFeatures& clip);

// One line per window: start_ms, rms_dbfs, frame count and the mean of each mfcc_raw
// coefficient (the drift features), under a header line.
std::string features_to_text(const ClipFeatures& clip);

// Reads `path`, computes its features with `features` and prints them to `out` (JSON when
// `json`, one line, else the table). Returns the exit code: 0 done; 1 when the file
// cannot be read or decoded, with one line on `err` naming the file, the reason and the
// error code; 2 when `features` itself is invalid.
int run_features_command(const std::string& path, bool json, const config::Features& features,
                         std::ostream& out, std::ostream& err);

}  // namespace driftd::audio
