#pragma once
// Drift scenarios: what happens to a device's audio once drift is switched on.
//
// - none:  nothing (a control run).
// - noise: white background noise added at `snr_db` relative to each clip's own power.
// - mic:   the microphone's response changes: a second-order high-pass or low-pass at
//          `mic.frequency_hz`, or a resonant peak of `mic.gain_db` there.
// - gain:  the level changes by `gain_db`; int16 quantization then clips what overflows.
//
// Pure: clean samples and a random stream in, drifted samples out.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/sim/random.hpp"
#include "driftd/util/result.hpp"

namespace driftd::sim {

enum class ScenarioKind { none, noise, mic, gain };
enum class MicFilter { high_pass, low_pass, peak };

struct MicResponse {
  MicFilter filter = MicFilter::high_pass;
  double frequency_hz = 1000;  // corner (high/low-pass) or centre (peak)
  double q = 0.7071;           // 1/√2: a maximally flat corner
  double gain_db = 12;         // peak only
};

struct Scenario {
  ScenarioKind kind = ScenarioKind::none;
  double snr_db = 5;     // noise
  MicResponse mic;       // mic
  double gain_db = -12;  // gain
};

// "none", "noise", "mic", "gain".
std::string_view scenario_name(ScenarioKind kind);
// The kind named `name`; error code invalid_scenario otherwise.
Result<ScenarioKind> parse_scenario_kind(std::string_view name);

// "highpass", "lowpass", "peak".
std::string_view mic_filter_name(MicFilter filter);
// The filter named `name` (also "high-pass"/"low-pass"); error code invalid_mic_filter.
Result<MicFilter> parse_mic_filter(std::string_view name);

// Checks the parameters the scenario's kind uses: finite numbers, frequencies below the
// Nyquist frequency of `sample_rate_hz`, q > 0. Error code invalid_scenario with a field.
Status validate(const Scenario& scenario, int sample_rate_hz);

// A one-line description for logs: "background noise at SNR 5 dB", "microphone
// high-pass at 1000 Hz", "gain -12 dB", "no drift".
std::string describe(const Scenario& scenario);

// `clean` with the scenario applied (a copy of it for `none`). Draws from `rng` only for
// `noise`. A silent clip gets no noise (its SNR is undefined).
std::vector<double> apply_scenario(const Scenario& scenario, std::span<const double> clean,
                                   int sample_rate_hz, SimRng& rng);

}  // namespace driftd::sim
