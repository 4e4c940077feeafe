#include "driftd/sim/fleet.hpp"

#include <algorithm>
#include <cmath>

#include "driftd/sim/random.hpp"

namespace driftd::sim {

namespace {

constexpr int k_max_devices = 100000;
// Stream tags: each kind of randomness draws from its own family of streams.
constexpr std::uint64_t k_stream_phase = 1;
constexpr std::uint64_t k_stream_reading = 2;
constexpr std::uint64_t k_stream_audio = 3;
constexpr std::uint64_t k_stream_baseline = 4;
constexpr std::uint64_t k_stream_drifted_set = 5;

bool is_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

bool is_id_text(const std::string& s) {
  return std::all_of(s.begin(), s.end(), is_id_char);
}

Error fleet_error(std::string message, std::string field) {
  return make_error("invalid_fleet", std::move(message), std::move(field));
}

bool is_fraction(double x) {
  return std::isfinite(x) && x >= 0 && x <= 1;
}

}  // namespace

Status validate(const FleetSettings& s) {
  if (s.devices < 1 || s.devices > k_max_devices) {
    return fleet_error("devices must be between 1 and 100000", "devices");
  }
  if (!std::isfinite(s.rate_per_second) || s.rate_per_second <= 0) {
    return fleet_error("rate must be positive", "rate");
  }
  if (!is_fraction(s.clip_fraction))
    return fleet_error("clip fraction must be in [0, 1]", "clip_fraction");
  if (!is_fraction(s.crying_share))
    return fleet_error("crying share must be in [0, 1]", "crying_share");
  if (!is_fraction(s.drift_fraction))
    return fleet_error("drift fraction must be in [0, 1]", "drift_devices");
  if (s.drift_after.count() < 0)
    return fleet_error("drift-after must not be negative", "drift_after");
  if (!is_id_text(s.device_prefix) || s.device_prefix.size() > 48) {
    return fleet_error("device prefix must be at most 48 characters of [A-Za-z0-9._:-]",
                       "device_prefix");
  }
  if (s.model_version.empty() || s.model_version.size() > 64 || !is_id_text(s.model_version)) {
    return fleet_error("model version must be 1-64 characters of [A-Za-z0-9._:-]", "model_version");
  }
  if (!is_id_text(s.run_tag)) return fleet_error("run tag must use [A-Za-z0-9._:-]", "run_tag");
  return validate(s.scenario, k_sample_rate_hz);
}

int drifting_device_count(const FleetSettings& s) {
  if (s.scenario.kind == ScenarioKind::none || s.drift_fraction <= 0) return 0;
  const auto n = static_cast<int>(std::lround(s.drift_fraction * s.devices));
  return std::clamp(n, 1, s.devices);
}

std::string device_id(const FleetSettings& s, int index) {
  const std::size_t width = std::max<std::size_t>(2, std::to_string(s.devices).size());
  std::string number = std::to_string(index + 1);
  if (number.size() < width) number.insert(0, width - number.size(), '0');
  return s.device_prefix + number;
}

Reading make_reading(const FleetSettings& s, int index, std::uint64_t sequence,
                     util::UnixMs timestamp_ms, bool drifted) {
  SimRng rng(derive_seed(s.seed, {k_stream_reading, static_cast<std::uint64_t>(index), sequence}));
  Reading r;
  r.device_id = device_id(s, index);
  r.model_version = s.model_version;
  r.result_id = s.run_tag + "-" + r.device_id + "-" + std::to_string(sequence);
  r.device_index = index;
  r.sequence = sequence;
  r.timestamp_ms = timestamp_ms;
  r.drifted = drifted;
  r.sound = rng.uniform() < s.crying_share ? SoundClass::crying : SoundClass::sleeping;
  const double u = rng.uniform();
  r.confidence = drifted ? 0.55 + 0.25 * u : 0.97 - 0.12 * u * u;
  r.confidence = std::round(r.confidence * 1000.0) / 1000.0;
  r.with_clip = rng.uniform() < s.clip_fraction;
  return r;
}

std::vector<double> reading_audio(const FleetSettings& s, const Reading& reading) {
  SimRng rng(derive_seed(s.seed, {k_stream_audio, static_cast<std::uint64_t>(reading.device_index),
                                  reading.sequence}));
  std::vector<double> clean = generate_clip(reading.sound, rng);
  if (!reading.drifted) return clean;
  return apply_scenario(s.scenario, clean, k_sample_rate_hz, rng);
}

std::vector<double> baseline_audio(std::uint64_t seed, SoundClass sound, std::uint64_t index) {
  SimRng rng(derive_seed(seed, {k_stream_baseline, static_cast<std::uint64_t>(sound), index}));
  return generate_clip(sound, rng);
}

std::vector<double> drifted_set_audio(std::uint64_t seed, SoundClass sound, std::uint64_t index,
                                      const Scenario& scenario) {
  SimRng rng(derive_seed(seed, {k_stream_drifted_set, static_cast<std::uint64_t>(sound), index}));
  const std::vector<double> clean = generate_clip(sound, rng);
  return apply_scenario(scenario, clean, k_sample_rate_hz, rng);
}

SimDevice::SimDevice(const FleetSettings& settings, int index, util::UnixMs sim_start)
    : m_settings(&settings),
      m_index(index),
      m_id(device_id(settings, index)),
      m_drifts(index < drifting_device_count(settings)),
      m_first_due(0),
      m_drift_on(sim_start + settings.drift_after.count()),
      m_period_ms(1000.0 / settings.rate_per_second) {
  SimRng rng(derive_seed(settings.seed, {k_stream_phase, static_cast<std::uint64_t>(index)}));
  m_first_due = sim_start + static_cast<util::UnixMs>(rng.uniform() * m_period_ms);
}

util::UnixMs SimDevice::next_due() const {
  return m_first_due + static_cast<util::UnixMs>(static_cast<double>(m_next) * m_period_ms);
}

std::vector<Reading> SimDevice::take_due(util::UnixMs sim_now, std::size_t max_count) {
  std::vector<Reading> due;
  while (due.size() < max_count && next_due() <= sim_now) {
    const util::UnixMs t = next_due();
    const bool drifted = m_drifts && t >= m_drift_on;
    due.push_back(make_reading(*m_settings, m_index, m_next, t, drifted));
    ++m_next;
  }
  return due;
}

}  // namespace driftd::sim
