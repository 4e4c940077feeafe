#pragma once
// A simulated fleet of baby monitors, as pure values: who the devices are, when each one
// classifies a clip (its readings), what it reports, and the audio behind each reading.
//
// Device i makes reading k at simulated time sim_start + phase_i + k / rate, where phase_i
// is drawn once per device so that the fleet's requests spread out. Everything about
// reading k (class, confidence, whether its clip is uploaded, the clip itself) is drawn
// from a stream of its own, derive_seed(seed, {device, k}): a run is reproducible from its
// seed whatever the timing of the threads that send it.
//
// A device reports the true class of the clip. Its confidence is 0.85–0.97 on clean audio
// and 0.55–0.80 once drift is on — a model that starts to hesitate. Drift is on for a
// reading when its device is among the drifting ones (the first
// drifting_device_count() devices) and its timestamp is at least `drift_after` past the
// start of simulated time.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "driftd/sim/scenario.hpp"
#include "driftd/sim/sounds.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::sim {

struct FleetSettings {
  std::uint64_t seed = 1;
  int devices = 20;
  std::string device_prefix = "nursery-";
  double rate_per_second = 1;                // readings per device per simulated second
  double clip_fraction = 0.25;               // share of readings whose clip is uploaded too
  double crying_share = 0.5;                 // share of readings that are crying
  std::chrono::milliseconds drift_after{0};  // simulated time from the start of the run
  double drift_fraction = 1;                 // share of devices that drift
  Scenario scenario;
  std::string model_version = "1";
  std::string run_tag = "run";  // part of every result_id, so that runs never collide
};

// Checks ranges: devices 1..100000, fractions in [0, 1], a positive finite rate, device
// prefix and model version of driftd's id characters, and the scenario. Error code
// invalid_fleet (or the scenario's) with a field.
Status validate(const FleetSettings& settings);

// How many devices drift: round(drift_fraction · devices), at least 1 when the fraction is
// above 0 (so "one broken microphone" is expressible as a small fraction), 0 for the
// scenario `none`.
int drifting_device_count(const FleetSettings& settings);

// "<prefix><index + 1>", zero-padded to at least two digits and to the width of `devices`.
std::string device_id(const FleetSettings& settings, int index);

// One classification made by one device.
struct Reading {
  std::string device_id;
  std::string model_version;
  std::string result_id;  // "<run_tag>-<device_id>-<sequence>"
  int device_index = 0;
  std::uint64_t sequence = 0;  // k
  util::UnixMs timestamp_ms = 0;
  SoundClass sound = SoundClass::sleeping;
  double confidence = 0;  // of `sound`; the other class has 1 − confidence
  bool drifted = false;
  bool with_clip = false;
};

// Reading k of device `index` at simulated time `timestamp_ms`; `drifted` as decided by
// the caller (SimDevice does it from the settings).
Reading make_reading(const FleetSettings& settings, int index, std::uint64_t sequence,
                     util::UnixMs timestamp_ms, bool drifted);

// The audio of a reading, k_clip_samples int16-scale samples: its clean clip, with the
// settings' scenario applied when the reading is drifted.
std::vector<double> reading_audio(const FleetSettings& settings, const Reading& reading);

// Clip `index` of class `sound` for a reference set: clean audio from a stream of its own,
// never one a fleet reading uses, so a baseline and a run with the same seed share no clip.
std::vector<double> baseline_audio(std::uint64_t seed, SoundClass sound, std::uint64_t index);

// Clip `index` of class `sound` for a drifted set of files (to compare with a baseline
// offline): a clean clip from yet another family of streams with `scenario` applied.
std::vector<double> drifted_set_audio(std::uint64_t seed, SoundClass sound, std::uint64_t index,
                                      const Scenario& scenario);

// The schedule of one device. Holds a pointer to `settings`, which must outlive it.
class SimDevice {
 public:
  SimDevice(const FleetSettings& settings, int index, util::UnixMs sim_start);

  const std::string& id() const { return m_id; }
  int index() const { return m_index; }
  // True when this device is one of those whose audio drifts.
  bool drifts() const { return m_drifts; }
  // Simulated time of the next reading not yet taken.
  util::UnixMs next_due() const;
  // The readings due at or before `sim_now` not yet taken, oldest first, at most
  // `max_count` of them (the rest stay due).
  std::vector<Reading> take_due(util::UnixMs sim_now, std::size_t max_count);

 private:
  const FleetSettings* m_settings;
  int m_index;
  std::string m_id;
  bool m_drifts;
  util::UnixMs m_first_due;  // sim_start + phase
  util::UnixMs m_drift_on;   // sim_start + drift_after
  double m_period_ms;
  std::uint64_t m_next = 0;  // sequence of the next reading
};

}  // namespace driftd::sim
