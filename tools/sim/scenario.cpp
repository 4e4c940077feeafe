#include "driftd/sim/scenario.hpp"

#include <cmath>
#include <sstream>

#include "driftd/sim/filters.hpp"

namespace driftd::sim {

namespace {

double power_of(std::span<const double> samples) {
  if (samples.empty()) return 0;
  double sum = 0;
  for (const double x : samples) sum += x * x;
  return sum / static_cast<double>(samples.size());
}

std::vector<double> add_noise(std::span<const double> clean, double snr_db, SimRng& rng) {
  std::vector<double> out(clean.begin(), clean.end());
  const double signal_power = power_of(clean);
  if (signal_power <= 0) return out;
  std::vector<double> noise(clean.size());
  for (double& x : noise) x = rng.gaussian();
  // Scale the drawn noise to exactly the requested SNR, not just its expected value.
  const double wanted_power = signal_power / std::pow(10.0, snr_db / 10.0);
  const double scale = std::sqrt(wanted_power / power_of(noise));
  for (std::size_t i = 0; i < out.size(); ++i) out[i] += scale * noise[i];
  return out;
}

Biquad mic_filter(const MicResponse& mic, int sample_rate_hz) {
  switch (mic.filter) {
    case MicFilter::low_pass:
      return Biquad::low_pass(mic.frequency_hz, mic.q, sample_rate_hz);
    case MicFilter::peak:
      return Biquad::peaking(mic.frequency_hz, mic.q, mic.gain_db, sample_rate_hz);
    case MicFilter::high_pass:
      break;
  }
  return Biquad::high_pass(mic.frequency_hz, mic.q, sample_rate_hz);
}

Error scenario_error(std::string message, std::string field) {
  return make_error("invalid_scenario", std::move(message), std::move(field));
}

}  // namespace

std::string_view scenario_name(ScenarioKind kind) {
  switch (kind) {
    case ScenarioKind::noise:
      return "noise";
    case ScenarioKind::mic:
      return "mic";
    case ScenarioKind::gain:
      return "gain";
    case ScenarioKind::none:
      break;
  }
  return "none";
}

Result<ScenarioKind> parse_scenario_kind(std::string_view name) {
  for (const auto kind :
       {ScenarioKind::none, ScenarioKind::noise, ScenarioKind::mic, ScenarioKind::gain}) {
    if (scenario_name(kind) == name) return kind;
  }
  return scenario_error(
      "unknown scenario '" + std::string(name) + "' (expected none, noise, mic or gain)",
      "scenario");
}

std::string_view mic_filter_name(MicFilter filter) {
  switch (filter) {
    case MicFilter::low_pass:
      return "lowpass";
    case MicFilter::peak:
      return "peak";
    case MicFilter::high_pass:
      break;
  }
  return "highpass";
}

Result<MicFilter> parse_mic_filter(std::string_view name) {
  if (name == "highpass" || name == "high-pass") return MicFilter::high_pass;
  if (name == "lowpass" || name == "low-pass") return MicFilter::low_pass;
  if (name == "peak") return MicFilter::peak;
  return make_error(
      "invalid_mic_filter",
      "unknown microphone filter '" + std::string(name) + "' (expected highpass, lowpass or peak)",
      "mic_filter");
}

Status validate(const Scenario& scenario, int sample_rate_hz) {
  switch (scenario.kind) {
    case ScenarioKind::noise:
      if (!std::isfinite(scenario.snr_db)) return scenario_error("SNR must be finite", "snr_db");
      break;
    case ScenarioKind::gain:
      if (!std::isfinite(scenario.gain_db)) return scenario_error("gain must be finite", "gain_db");
      break;
    case ScenarioKind::mic: {
      const MicResponse& mic = scenario.mic;
      if (!std::isfinite(mic.frequency_hz) || mic.frequency_hz <= 0 ||
          mic.frequency_hz >= sample_rate_hz / 2.0) {
        return scenario_error("microphone filter frequency must be between 0 and " +
                                  std::to_string(sample_rate_hz / 2) + " Hz (exclusive)",
                              "mic_hz");
      }
      if (!std::isfinite(mic.q) || mic.q <= 0) {
        return scenario_error("microphone filter Q must be positive", "mic_q");
      }
      if (!std::isfinite(mic.gain_db)) {
        return scenario_error("microphone peak gain must be finite", "mic_gain_db");
      }
      break;
    }
    case ScenarioKind::none:
      break;
  }
  return Ok{};
}

std::string describe(const Scenario& scenario) {
  std::ostringstream out;
  switch (scenario.kind) {
    case ScenarioKind::noise:
      out << "background noise at SNR " << scenario.snr_db << " dB";
      break;
    case ScenarioKind::gain:
      out << "gain " << scenario.gain_db << " dB";
      break;
    case ScenarioKind::mic:
      out << "microphone " << mic_filter_name(scenario.mic.filter) << " at "
          << scenario.mic.frequency_hz << " Hz";
      if (scenario.mic.filter == MicFilter::peak) out << " (" << scenario.mic.gain_db << " dB)";
      break;
    case ScenarioKind::none:
      out << "no drift";
      break;
  }
  return out.str();
}

std::vector<double> apply_scenario(const Scenario& scenario, std::span<const double> clean,
                                   int sample_rate_hz, SimRng& rng) {
  switch (scenario.kind) {
    case ScenarioKind::noise:
      return add_noise(clean, scenario.snr_db, rng);
    case ScenarioKind::mic:
      return mic_filter(scenario.mic, sample_rate_hz).apply(clean);
    case ScenarioKind::gain: {
      const double factor = std::pow(10.0, scenario.gain_db / 20.0);
      std::vector<double> out(clean.begin(), clean.end());
      for (double& x : out) x *= factor;
      return out;
    }
    case ScenarioKind::none:
      break;
  }
  return {clean.begin(), clean.end()};
}

}  // namespace driftd::sim
