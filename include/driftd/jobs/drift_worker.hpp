#pragma once
// The drift evaluator's thread ("driftd-drift"): a pass (DriftEvaluator::run_once with the
// wall clock) at start and then every drift.evaluate_every, sleeping on its condition
// variable in between. stop() sets the stop flag, wakes the thread and joins it after the
// pass in progress (a pass reads buckets and writes a few rows: it is short).

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "driftd/jobs/drift_evaluator.hpp"

namespace driftd::jobs {

class DriftWorker {
 public:
  DriftWorker(DriftEvaluator& evaluator, std::chrono::milliseconds every)
      : m_evaluator(evaluator), m_every(every) {}
  ~DriftWorker();  // stop()
  DriftWorker(const DriftWorker&) = delete;
  DriftWorker& operator=(const DriftWorker&) = delete;

  // Starts the thread. Call once.
  void start();
  // Stops and joins the thread. Idempotent.
  void stop();

 private:
  void thread_main();

  DriftEvaluator& m_evaluator;
  std::chrono::milliseconds m_every;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_stop = false;
  std::thread m_thread;
};

}  // namespace driftd::jobs
