#include "fleet_runner.hpp"

#include <pthread.h>

#include <algorithm>
#include <iostream>

#include "driftd/sim/wav.hpp"

namespace driftd::sim {

namespace {

constexpr std::size_t k_max_batch = 1000;  // SPEC §4: at most 1000 results per request
// A worker re-checks its schedule at least this often (a stop or the end may be due).
constexpr std::chrono::milliseconds k_max_sleep{1000};

}  // namespace

FleetRunner::FleetRunner(FleetSettings settings, SimClock clock,
                         std::optional<util::UnixMs> real_end, IngestSender sender, int workers)
    : m_settings(std::move(settings)),
      m_clock(clock),
      m_real_end(real_end),
      m_sender(std::move(sender)),
      m_steady_start(std::chrono::steady_clock::now()) {
  const auto count = static_cast<std::size_t>(std::clamp(workers, 1, m_settings.devices));
  m_devices.resize(count);
  for (int i = 0; i < m_settings.devices; ++i) {
    m_devices[static_cast<std::size_t>(i) % count].emplace_back(m_settings, i, m_clock.sim_start);
  }
}

FleetRunner::~FleetRunner() {
  request_stop();
  join();
}

void FleetRunner::start() {
  if (!m_threads.empty()) return;
  m_running = static_cast<int>(m_devices.size());
  for (std::size_t w = 0; w < m_devices.size(); ++w) {
    m_threads.emplace_back([this, w] {
      const std::string name = "sim-worker-" + std::to_string(w);
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      work(w);
      --m_running;
    });
  }
}

void FleetRunner::request_stop() {
  {
    const std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
}

void FleetRunner::join() {
  for (auto& t : m_threads) {
    if (t.joinable()) t.join();
  }
}

util::UnixMs FleetRunner::real_now() const {
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - m_steady_start);
  return m_clock.real_start + elapsed.count();
}

std::optional<std::string> FleetRunner::fatal_error() const {
  const std::lock_guard lock(m_mutex);
  return m_fatal;
}

std::chrono::steady_clock::time_point FleetRunner::steady_at(util::UnixMs real) const {
  return m_steady_start + std::chrono::milliseconds(real - m_clock.real_start);
}

bool FleetRunner::should_stop() const {
  if (m_real_end && real_now() >= *m_real_end) return true;
  const std::lock_guard lock(m_mutex);
  return m_stop;
}

void FleetRunner::check_answer(const SendOutcome& outcome, const char* what) {
  if (outcome.status == 401 || outcome.status == 403) {
    {
      const std::lock_guard lock(m_mutex);
      if (!m_fatal) {
        m_fatal = "driftd refused the token for " + std::string(what) + " (HTTP " +
                  std::to_string(outcome.status) +
                  (outcome.error_code.empty() ? "" : " " + outcome.error_code) +
                  "): use an admin token, which may ingest for any device";
      }
      m_stop = true;
    }
    m_wake.notify_all();
  } else if ((outcome.status == 404 || outcome.status == 405) && std::string(what) == "clips" &&
             m_clips_enabled.exchange(false)) {
    std::cerr << "driftd-sim: driftd does not serve POST /api/v1/clips (HTTP " << outcome.status
              << "): sending results only from now on\n";
  }
}

void FleetRunner::send_due(SimDevice& device, util::UnixMs sim_now) {
  const std::vector<Reading> due = device.take_due(sim_now, k_max_batch);
  if (due.empty()) return;
  const SendOutcome sent = m_sender.post_results(due);
  m_stats.record_results(due.size(), sent);
  check_answer(sent, "results");
  for (const Reading& reading : due) {
    if (!reading.with_clip || !m_clips_enabled) continue;
    if (should_stop()) return;  // the end is strict: the remaining clips are not sent
    const std::string wav =
        encode_wav(to_pcm16(reading_audio(m_settings, reading)), k_sample_rate_hz);
    const SendOutcome clip = m_sender.post_clip(reading, wav);
    m_stats.record_clip(clip);
    check_answer(clip, "clips");
  }
}

void FleetRunner::work(std::size_t worker) {
  std::vector<SimDevice>& devices = m_devices[worker];
  while (true) {
    const util::UnixMs now = real_now();
    if (m_real_end && now >= *m_real_end) return;
    const util::UnixMs sim_now = m_clock.sim_at(now);
    for (SimDevice& device : devices) {
      if (should_stop()) return;
      send_due(device, sim_now);
    }
    util::UnixMs next = devices.front().next_due();
    for (const SimDevice& device : devices) next = std::min(next, device.next_due());
    auto wake =
        std::min(steady_at(m_clock.real_at(next)), std::chrono::steady_clock::now() + k_max_sleep);
    if (m_real_end) wake = std::min(wake, steady_at(*m_real_end));
    std::unique_lock lock(m_mutex);
    if (m_wake.wait_until(lock, wake, [this] { return m_stop; })) return;
  }
}

}  // namespace driftd::sim
