// The drift evaluator's thread.

#include "driftd/jobs/drift_worker.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "driftd/util/time.hpp"

namespace driftd::jobs {

DriftWorker::~DriftWorker() {
  stop();
}

void DriftWorker::start() {
  m_thread = std::thread([this] { thread_main(); });
}

void DriftWorker::stop() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void DriftWorker::thread_main() {
  pthread_setname_np(pthread_self(), "driftd-drift");
  const auto every = std::max(m_every, std::chrono::milliseconds(1000));
  while (true) {
    {
      std::lock_guard lock(m_mutex);
      if (m_stop) break;
    }
    try {
      auto report = m_evaluator.run_once(util::now_ms());
      if (!report) {
        spdlog::warn("drift evaluator: {}", report.error().message);
      } else if (!report->evaluated.empty() || !report->deferred.empty()) {
        spdlog::debug("drift evaluator: {} model versions evaluated, {} re-binning, {} bucket rows",
                      report->evaluated.size(), report->deferred.size(), report->bucket_rows_read);
      }
    } catch (const std::exception& e) {
      spdlog::error("drift evaluator: unexpected error: {}", e.what());
    }
    std::unique_lock lock(m_mutex);
    m_cv.wait_for(lock, every, [this] { return m_stop; });
  }
}

}  // namespace driftd::jobs
