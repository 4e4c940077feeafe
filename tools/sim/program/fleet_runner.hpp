#pragma once
// Runs a simulated fleet against driftd: a few named worker threads share the devices
// (device i goes to worker i mod workers); each worker sleeps until the earliest next
// reading of its devices, then sends every device's due readings as one results batch,
// followed by the clips sampled among them. Time is read once per pass from a steady
// clock anchored to the wall clock at start, and mapped to simulated time by the SimClock.
//
// The run ends at `real_end` (when given; checked before every request, so a pass cut
// short drops its remaining clips), on request_stop(), or by itself when driftd
// refuses the token (401/403: nothing would ever be accepted). A clip route that does not
// exist (404/405) turns clip uploads off for the rest of the run, with one notice.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "driftd/sim/fleet.hpp"
#include "driftd/sim/sim_clock.hpp"
#include "ingest_sender.hpp"
#include "run_stats.hpp"

namespace driftd::sim {

class FleetRunner {
 public:
  FleetRunner(FleetSettings settings, SimClock clock, std::optional<util::UnixMs> real_end,
              IngestSender sender, int workers);
  ~FleetRunner();
  FleetRunner(const FleetRunner&) = delete;
  FleetRunner& operator=(const FleetRunner&) = delete;

  // Starts the workers (once).
  void start();
  // Asks the workers to stop after their current request; returns at once.
  void request_stop();
  // Waits for the workers to return.
  void join();
  // True when every worker has returned.
  bool finished() const { return m_running.load() == 0; }

  // Wall-clock time now, as measured by the run's steady clock.
  util::UnixMs real_now() const;
  const SimClock& clock() const { return m_clock; }
  const FleetSettings& settings() const { return m_settings; }
  StatsSnapshot stats() const { return m_stats.snapshot(); }
  // Why the run stopped by itself, if it did.
  std::optional<std::string> fatal_error() const;

 private:
  void work(std::size_t worker);
  // True once a stop was requested or the end has come.
  bool should_stop() const;
  void send_due(SimDevice& device, util::UnixMs sim_now);
  void check_answer(const SendOutcome& outcome, const char* what);
  std::chrono::steady_clock::time_point steady_at(util::UnixMs real) const;

  const FleetSettings m_settings;
  const SimClock m_clock;
  const std::optional<util::UnixMs> m_real_end;
  const IngestSender m_sender;
  const std::chrono::steady_clock::time_point m_steady_start;
  std::vector<std::vector<SimDevice>> m_devices;  // per worker
  RunStats m_stats;

  mutable std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_stop = false;
  std::optional<std::string> m_fatal;
  std::atomic<bool> m_clips_enabled{true};
  std::atomic<int> m_running{0};
  std::vector<std::thread> m_threads;
};

}  // namespace driftd::sim
