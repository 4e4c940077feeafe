#pragma once
// Simulated time. With a time scale K each simulated second lasts 1/K real seconds, so
// hours of fleet traffic fit into minutes; readings carry simulated timestamps. driftd
// refuses timestamps more than a day past receipt, so a compressed run starts its
// simulated clock in the past and reaches the real present exactly when it ends.

#include <chrono>
#include <optional>
#include <string_view>

#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::sim {

struct SimClock {
  util::UnixMs real_start = 0;  // wall-clock time at which the run started
  util::UnixMs sim_start = 0;   // simulated time at that moment
  double scale = 1;             // simulated seconds per real second

  // Simulated time at real time `real`.
  util::UnixMs sim_at(util::UnixMs real) const;
  // The earliest real time at which simulated time reaches `sim`.
  util::UnixMs real_at(util::UnixMs sim) const;
};

// The clock of a run that starts at `real_start`. With `sim_duration`, simulated time
// starts sim_duration − sim_duration/scale before real_start, so that it ends at the
// run's real end: no timestamp is ever in the future. Without a duration the scale must
// be 1 (simulated time is real time). Refuses a scale that is not finite and ≥ 1 (code
// invalid_time_scale) and a compressed run without a duration (time_scale_needs_duration).
Result<SimClock> make_sim_clock(util::UnixMs real_start, double scale,
                                std::optional<std::chrono::milliseconds> sim_duration);

// A per-device rate: "2" or "2/s" (per second), "30/m" (per minute), "60/h" (per hour);
// returns readings per second. Refuses non-positive or non-finite values (invalid_rate).
Result<double> parse_rate(std::string_view text);

}  // namespace driftd::sim
