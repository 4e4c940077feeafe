#pragma once
// The retrain runner's thread ("driftd-retrain"): calls RetrainRunner::run_once(now) with
// the wall clock whenever a run is due, and otherwise sleeps on its condition variable until
// the next run is due, wake() is called, or at most k_idle_poll (so runs created by other
// threads or processes are picked up). stop() sets the stop flag, wakes the thread and
// joins it; a step in progress finishes first (an outside call is bounded by its timeout).

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "driftd/jobs/retrain_runner.hpp"

namespace driftd::jobs {

class RetrainWorker {
 public:
  // The longest the thread sleeps without looking for new runs.
  static constexpr std::chrono::milliseconds k_idle_poll{1000};
  // The wait after run_once failed (the store could not be read).
  static constexpr std::chrono::milliseconds k_error_backoff{5000};

  explicit RetrainWorker(RetrainRunner& runner) : m_runner(runner) {}
  ~RetrainWorker();  // stop()
  RetrainWorker(const RetrainWorker&) = delete;
  RetrainWorker& operator=(const RetrainWorker&) = delete;

  // Starts the thread. Call once.
  void start();
  // Asks the thread to look for work now (e.g. after a run was created).
  void wake();
  // Stops and joins the thread. Idempotent.
  void stop();
  // Asks the thread to stop and waits at most `deadline` for its step in progress; true
  // when it stopped (and was joined). When false the thread is still inside an outside
  // call: the caller may end the process (the run resumes from the ledger at restart).
  bool stop_within(std::chrono::milliseconds deadline);

 private:
  void thread_main();

  RetrainRunner& m_runner;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_stop = false;
  bool m_woken = false;
  bool m_finished = false;  // the thread left its loop
  std::thread m_thread;
};

}  // namespace driftd::jobs
