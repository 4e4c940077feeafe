#include "driftd/sim/sim_clock.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace driftd::sim {

util::UnixMs SimClock::sim_at(util::UnixMs real) const {
  return sim_start + std::llround(static_cast<double>(real - real_start) * scale);
}

util::UnixMs SimClock::real_at(util::UnixMs sim) const {
  return real_start +
         static_cast<util::UnixMs>(std::ceil(static_cast<double>(sim - sim_start) / scale));
}

Result<SimClock> make_sim_clock(util::UnixMs real_start, double scale,
                                std::optional<std::chrono::milliseconds> sim_duration) {
  if (!std::isfinite(scale) || scale < 1) {
    return make_error("invalid_time_scale", "the time scale must be a number ≥ 1", "time_scale");
  }
  SimClock clock{real_start, real_start, scale};
  if (!sim_duration) {
    if (scale != 1) {
      return make_error("time_scale_needs_duration",
                        "a time scale above 1 needs a duration, so that simulated time can "
                        "start in the past and never run into the future",
                        "time_scale");
    }
    return clock;
  }
  const auto total = static_cast<double>(sim_duration->count());
  clock.sim_start = real_start - std::llround(total - total / scale);
  return clock;
}

Result<double> parse_rate(std::string_view text) {
  double per = 1;  // seconds per unit
  std::string_view number = text;
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    const std::string_view unit = text.substr(slash + 1);
    number = text.substr(0, slash);
    if (unit == "s") {
      per = 1;
    } else if (unit == "m") {
      per = 60;
    } else if (unit == "h") {
      per = 3600;
    } else {
      return make_error("invalid_rate", "rate unit must be /s, /m or /h", "rate");
    }
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc{} || end != number.data() + number.size() || number.empty() ||
      !std::isfinite(value) || value <= 0) {
    return make_error("invalid_rate",
                      "rate must be a positive number, optionally per s, m or h (e.g. 2, 30/m), "
                      "not '" +
                          std::string(text) + "'",
                      "rate");
  }
  return value / per;
}

}  // namespace driftd::sim
