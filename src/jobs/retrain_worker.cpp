#include "driftd/jobs/retrain_worker.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "driftd/util/time.hpp"

namespace driftd::jobs {

RetrainWorker::~RetrainWorker() {
  stop();
}

void RetrainWorker::start() {
  m_thread = std::thread([this] { thread_main(); });
}

void RetrainWorker::wake() {
  {
    std::lock_guard lock(m_mutex);
    m_woken = true;
  }
  m_cv.notify_all();
}

void RetrainWorker::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

bool RetrainWorker::stop_within(std::chrono::milliseconds deadline) {
  std::unique_lock lock(m_mutex);
  m_stop = true;
  m_cv.notify_all();
  if (!m_thread.joinable()) return true;
  if (!m_cv.wait_for(lock, deadline, [this] { return m_finished; })) return false;
  lock.unlock();
  m_thread.join();
  return true;
}

void RetrainWorker::thread_main() {
  pthread_setname_np(pthread_self(), "driftd-retrain");
  spdlog::debug("retrain worker started");
  while (true) {
    {
      std::lock_guard lock(m_mutex);
      if (m_stop) break;
      m_woken = false;
    }
    const util::UnixMs now = util::now_ms();
    std::chrono::milliseconds wait = k_idle_poll;
    try {
      auto next = m_runner.run_once(now);
      if (!next) {
        spdlog::warn("retrain worker: {}", next.error().message);
        wait = k_error_backoff;
      } else if (next->has_value()) {
        wait = std::clamp(std::chrono::milliseconds(**next - now), std::chrono::milliseconds(0),
                          k_idle_poll);
      }
    } catch (const std::exception& e) {
      spdlog::error("retrain worker: unexpected error: {}", e.what());
      wait = k_error_backoff;
    }
    std::unique_lock lock(m_mutex);
    m_cv.wait_for(lock, wait, [this] { return m_stop || m_woken; });
  }
  {
    std::lock_guard lock(m_mutex);
    m_finished = true;
  }
  m_cv.notify_all();
  spdlog::debug("retrain worker stopped");
}

}  // namespace driftd::jobs
