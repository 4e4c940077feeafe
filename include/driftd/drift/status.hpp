#pragma once
// The drift status of a feature, a prediction test or a whole evaluation (SPEC §4, §6).

#include <optional>
#include <string_view>

namespace driftd::drift {

// ok < warn < alarm by severity. insufficient_data and no_reference describe an evaluation
// that could not be judged; features take them only from their evaluation.
enum class DriftStatus { ok, warn, alarm, insufficient_data, no_reference };

// "ok", "warn", "alarm", "insufficient_data", "no_reference".
std::string_view to_string(DriftStatus status);

// The inverse of to_string(); nothing for any other text.
std::optional<DriftStatus> parse_status(std::string_view text);

// The more severe of two judged statuses (ok, warn, alarm). A status that was not judged
// (insufficient_data, no_reference) counts as ok here.
DriftStatus worse(DriftStatus a, DriftStatus b);

}  // namespace driftd::drift
