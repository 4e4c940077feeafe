// driftd-sim: a simulated fleet of baby monitors for demos and load. Each device posts its
// classification results to driftd and uploads a sampled share of its clips; at a chosen
// (simulated) time the audio of some or all devices starts to drift. The steps:
//   1. read the command line;  2. either write a reference set and exit, or
//   3. find the token, build the fleet and its clock;  4. run the workers, printing a
//   summary line every few seconds, until the duration ends or SIGINT/SIGTERM arrives.
// Exit codes: 0 done, 1 the run failed (token refused, nothing accepted), 2 usage error.
#include <signal.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "baseline_writer.hpp"
#include "driftd/sim/fleet.hpp"
#include "driftd/sim/sim_clock.hpp"
#include "driftd/util/duration.hpp"
#include "driftd/util/secrets.hpp"
#include "fleet_runner.hpp"

namespace {

using namespace driftd;
using namespace driftd::sim;

constexpr int k_exit_ok = 0;
constexpr int k_exit_failure = 1;
constexpr int k_exit_usage = 2;

struct CommandLine {
  std::string url = "http://127.0.0.1:8080";
  std::string token;
  std::string token_file;
  std::string token_env = "DRIFTD_ADMIN_TOKEN";
  std::string rate = "1/s";
  std::string scenario = "none";
  std::string drift_after = "0s";
  std::string duration;
  std::string summary_every = "5s";
  std::string mic_filter = "highpass";
  std::optional<double> mic_q;
  double time_scale = 1;
  int workers = 4;
  std::string write_baseline;
  std::string write_drifted;
  int clips_per_class = 100;
  FleetSettings fleet;
};

void add_options(CLI::App& app, CommandLine& c) {
  app.add_option("--url", c.url, "driftd's base URL")->capture_default_str();
  app.add_option("--token", c.token, "bearer token (an admin token may ingest for any device)");
  app.add_option("--token-file", c.token_file, "file holding the token")->check(CLI::ExistingFile);
  app.add_option("--token-env", c.token_env,
                 "secret holding the token when neither --token nor --token-file is given: this "
                 "environment variable, else $CREDENTIALS_DIRECTORY/NAME")
      ->capture_default_str();
  app.add_option("--devices", c.fleet.devices, "number of devices")->capture_default_str();
  app.add_option("--device-prefix", c.fleet.device_prefix, "device ids are PREFIX01, PREFIX02, …")
      ->capture_default_str();
  app.add_option("--rate", c.rate, "readings per device: N, N/s, N/m or N/h (simulated time)")
      ->capture_default_str();
  app.add_option("--clip-fraction", c.fleet.clip_fraction,
                 "share of readings whose clip is uploaded")
      ->capture_default_str();
  app.add_option("--crying-share", c.fleet.crying_share, "share of readings that are crying")
      ->capture_default_str();
  app.add_option("--model-version", c.fleet.model_version, "model version the devices report")
      ->capture_default_str();
  app.add_option("--scenario", c.scenario, "drift scenario: none, noise, mic, gain")
      ->capture_default_str();
  app.add_option("--drift-after", c.drift_after, "simulated time before drift is switched on")
      ->capture_default_str();
  app.add_option("--drift-devices", c.fleet.drift_fraction,
                 "share of devices that drift (at least one when above 0)")
      ->capture_default_str();
  app.add_option("--snr-db", c.fleet.scenario.snr_db, "noise: signal-to-noise ratio")
      ->capture_default_str();
  app.add_option("--gain-db", c.fleet.scenario.gain_db, "gain: level change (clipped to int16)")
      ->capture_default_str();
  app.add_option("--mic-filter", c.mic_filter, "mic: highpass, lowpass or peak")
      ->capture_default_str();
  app.add_option("--mic-hz", c.fleet.scenario.mic.frequency_hz, "mic: corner or centre frequency")
      ->capture_default_str();
  app.add_option("--mic-q", c.mic_q, "mic: filter Q (default 0.707; 2 for peak)");
  app.add_option("--mic-gain-db", c.fleet.scenario.mic.gain_db, "mic: gain of the peak")
      ->capture_default_str();
  app.add_option("--duration", c.duration, "simulated time to run (default: until stopped)");
  app.add_option("--time-scale", c.time_scale, "simulated seconds per real second")
      ->capture_default_str();
  app.add_option("--seed", c.fleet.seed, "seed of every random choice")->capture_default_str();
  app.add_option("--summary-every", c.summary_every, "real time between summary lines")
      ->capture_default_str();
  app.add_option("--workers", c.workers, "sending threads")->capture_default_str();
  app.add_option("--write-baseline", c.write_baseline,
                 "write clean clips as DIR/<label>/*.wav for `driftd baseline import` and exit");
  app.add_option("--write-drifted", c.write_drifted,
                 "write clips with the --scenario applied as DIR/<label>/*.wav (for `driftd "
                 "compare`) and exit");
  app.add_option("--clips-per-class", c.clips_per_class, "with --write-baseline/--write-drifted")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
}

std::optional<std::string> find_token(const CommandLine& c) {
  if (!c.token.empty()) return c.token;
  if (!c.token_file.empty()) {
    std::ifstream in(c.token_file);
    std::string token;
    std::getline(in, token);
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (!token.empty()) return token;
    return std::nullopt;
  }
  return util::read_secret(c.token_env);
}

// "+1h05m30s" style offsets for the summary line.
std::string format_offset(std::int64_t ms) {
  const char* sign = ms < 0 ? "-" : "+";
  std::int64_t s = std::llabs(ms) / 1000;
  std::ostringstream out;
  out << sign;
  if (s >= 3600) out << s / 3600 << "h";
  if (s >= 60) out << (s % 3600) / 60 << "m";
  out << s % 60 << "s";
  return out.str();
}

Result<std::optional<std::chrono::milliseconds>> optional_duration(const std::string& text) {
  if (text.empty()) return std::optional<std::chrono::milliseconds>{};
  auto d = util::parse_duration(text);
  if (!d) return d.error();
  return std::optional<std::chrono::milliseconds>(*d);
}

int usage(const std::string& message) {
  std::cerr << "driftd-sim: " << message << "\n";
  return k_exit_usage;
}

// Blocks SIGINT and SIGTERM in this thread and every thread started after it; the main
// loop collects them with sigtimedwait.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return set;
}

bool wait_for_signal(const sigset_t& set, std::chrono::milliseconds timeout) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  ts.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1'000'000);
  return sigtimedwait(&set, nullptr, &ts) > 0;
}

// Reads --scenario and --mic-* into c.fleet.scenario; the problem, if any.
std::optional<std::string> configure_scenario(CommandLine& c) {
  const auto kind = parse_scenario_kind(c.scenario);
  if (!kind) return kind.error().message;
  const auto filter = parse_mic_filter(c.mic_filter);
  if (!filter) return filter.error().message;
  Scenario& scenario = c.fleet.scenario;
  scenario.kind = *kind;
  scenario.mic.filter = *filter;
  scenario.mic.q = c.mic_q.value_or(*filter == MicFilter::peak ? 2.0 : 0.7071);
  if (auto ok = validate(scenario, k_sample_rate_hz); !ok) return ok.error().message;
  return std::nullopt;
}

// --write-baseline / --write-drifted: one set of files, then exit.
int write_files(CommandLine& c) {
  const bool drifted = c.write_baseline.empty();
  const std::string& dir = drifted ? c.write_drifted : c.write_baseline;
  if (drifted && c.fleet.scenario.kind == ScenarioKind::none) {
    return usage("--write-drifted needs a --scenario other than none");
  }
  const Scenario clean;
  const auto written =
      write_clip_set(dir, c.clips_per_class, c.fleet.seed, drifted ? c.fleet.scenario : clean);
  if (!written) {
    std::cerr << "driftd-sim: " << written.error().message << "\n";
    return k_exit_failure;
  }
  std::cout << "driftd-sim: wrote " << *written << " " << (drifted ? "drifted" : "clean")
            << " clips (" << c.clips_per_class << " per class: crying, sleeping"
            << (drifted ? "; " + describe(c.fleet.scenario) : std::string()) << ") under " << dir
            << "\n";
  return k_exit_ok;
}

int run_fleet(CommandLine& c) {
  const auto token = find_token(c);
  if (!token) {
    return usage("no token: give --token, --token-file or set " + c.token_env +
                 " (an admin token, e.g. `driftd token create --role admin`)");
  }
  const auto duration = optional_duration(c.duration);
  const auto drift_after = util::parse_duration(c.drift_after);
  const auto summary_every = util::parse_duration(c.summary_every);
  const auto rate = parse_rate(c.rate);
  for (const Error* e :
       {duration ? nullptr : &duration.error(), drift_after ? nullptr : &drift_after.error(),
        summary_every ? nullptr : &summary_every.error(), rate ? nullptr : &rate.error()}) {
    if (e != nullptr) return usage(e->message);
  }
  FleetSettings& fleet = c.fleet;  // its scenario is set by configure_scenario()
  fleet.rate_per_second = *rate;
  fleet.drift_after = *drift_after;
  fleet.run_tag = util::random_hex(4);
  if (auto ok = validate(fleet); !ok) return usage(ok.error().message);
  if (summary_every->count() <= 0) return usage("--summary-every must be positive");

  const sigset_t signals = block_stop_signals();
  const util::UnixMs start = util::now_ms();
  const auto clock = make_sim_clock(start, c.time_scale, *duration);
  if (!clock) return usage(clock.error().message);
  std::optional<util::UnixMs> real_end;
  if (*duration) {
    real_end = start + std::llround(static_cast<double>((*duration)->count()) / c.time_scale);
  }
  const int drifting = drifting_device_count(fleet);
  std::cout << "driftd-sim: " << fleet.devices << " devices (" << device_id(fleet, 0) << " … "
            << device_id(fleet, fleet.devices - 1) << ") sending to " << c.url << ": " << c.rate
            << " each, " << fleet.clip_fraction * 100 << "% with clips, model "
            << fleet.model_version << ", seed " << fleet.seed << ", time scale " << c.time_scale
            << (c.duration.empty() ? ", until stopped" : ", for " + c.duration + " simulated")
            << "\ndriftd-sim: drift: " << describe(fleet.scenario);
  if (drifting > 0) {
    std::cout << " on " << drifting << " of " << fleet.devices << " devices after " << c.drift_after
              << " (simulated)";
  }
  std::cout << std::endl;

  FleetRunner runner(fleet, *clock, real_end, IngestSender(c.url, *token), c.workers);
  runner.start();
  const util::UnixMs drift_on_at = clock->sim_start + fleet.drift_after.count();
  bool drift_announced = drifting == 0;
  bool stopped_by_signal = false;
  auto next_summary = start + summary_every->count();
  auto print_summary = [&] {
    util::UnixMs sim_now = clock->sim_at(runner.real_now());
    if (real_end) sim_now = std::min(sim_now, clock->sim_at(*real_end));
    std::cout << "driftd-sim: [" << format_offset(runner.real_now() - start) << " real, "
              << format_offset(sim_now - clock->sim_start) << " simulated] "
              << format_counts(runner.stats()) << std::endl;
  };
  while (!runner.finished()) {
    // Announced before waiting, so that drift from the start is announced even when a
    // signal comes within the first wait.
    if (!drift_announced && clock->sim_at(runner.real_now()) >= drift_on_at) {
      drift_announced = true;
      std::cout << "driftd-sim: drift switched on: " << describe(fleet.scenario) << " on "
                << drifting << " of " << fleet.devices << " devices" << std::endl;
    }
    if (wait_for_signal(signals, std::chrono::milliseconds(100))) {
      stopped_by_signal = true;
      break;
    }
    const util::UnixMs now = runner.real_now();
    if (now >= next_summary) {
      print_summary();
      next_summary += summary_every->count();
    }
  }
  runner.request_stop();
  runner.join();
  print_summary();
  const StatsSnapshot totals = runner.stats();
  if (const auto fatal = runner.fatal_error()) {
    std::cerr << "driftd-sim: " << *fatal << "\n";
    return k_exit_failure;
  }
  std::cout << "driftd-sim: stopped (" << (stopped_by_signal ? "signal" : "duration reached") << ")"
            << std::endl;
  const bool nothing_accepted = totals.results_accepted + totals.results_duplicate == 0;
  if (nothing_accepted && totals.error_count() > 0) {
    std::cerr << "driftd-sim: driftd accepted nothing\n";
    return k_exit_failure;
  }
  return k_exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "driftd-sim: a simulated fleet of baby monitors sending results and clips to "
      "driftd, with audio drift switched on at a chosen time"};
  CommandLine c;
  add_options(app, c);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? k_exit_ok : k_exit_usage;
  }
  if (auto problem = configure_scenario(c)) return usage(*problem);
  if (!c.write_baseline.empty() && !c.write_drifted.empty()) {
    return usage("give --write-baseline or --write-drifted, not both");
  }
  if (!c.write_baseline.empty() || !c.write_drifted.empty()) return write_files(c);
  try {
    return run_fleet(c);
  } catch (const std::exception& e) {
    std::cerr << "driftd-sim: " << e.what() << "\n";
    return k_exit_failure;
  }
}
