#pragma once
// The retrain runner's test bench: a real SQLite store and clip folder in a scratch
// directory, the Edge Impulse and GitHub stand-ins on loopback, a config pointing at them,
// clips stored like devices store them, and a driver that calls run_once(now) until a run
// ends, jumping the clock to each next attempt (so backoffs and polls take no real time).

#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "driftd/config/config.hpp"
#include "driftd/jobs/retrain_runner.hpp"
#include "driftd/jobs/retrain_trigger.hpp"
#include "driftd/store/clip_archive.hpp"
#include "driftd/store/retrain_clips.hpp"
#include "driftd/store/retrain_runs.hpp"
#include "driftd/util/time.hpp"
#include "support/outside_world.hpp"
#include "support/store_scratch.hpp"

namespace driftd::test {

struct RetrainBench {
  explicit RetrainBench(standins::StandinOptions options = {});

  ScratchDir dir;
  OutsideWorld world;
  config::Config config;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::ClipArchive> archive;
  util::UnixMs now = util::now_ms();
  util::Registry registry;
  util::DriftdMetrics metrics = util::register_driftd_metrics(registry);

  // Runner options with the stand-ins' secrets, short timeouts and `checkpoint`.
  jobs::RetrainRunnerOptions options(jobs::Checkpoint checkpoint = {}) const;
  std::unique_ptr<jobs::RetrainRunner> runner(jobs::Checkpoint checkpoint = {});

  // Stores `per_group` WAV clips for each device × label (timestamps just before `now`).
  std::vector<std::string> add_clips(const std::vector<std::string>& devices,
                                     const std::vector<std::string>& labels, int per_group = 2,
                                     double confidence = 0.95);

  // A manual run for model version "12"; fails the test when it is refused.
  std::string start_run(bool force = false);

  // Calls run_once until run `id` is over or `max_ticks` calls were made, moving `now` to
  // each next attempt. A checkpoint's SimulatedCrash propagates. Returns the run.
  store::RetrainRun drive(jobs::RetrainRunner& runner, const std::string& id, int max_ticks = 400);
  // One call of run_once at `now` (moved to the next attempt first when it is later).
  void tick(jobs::RetrainRunner& runner);

  store::RetrainRun run(const std::string& id);
  std::vector<store::RunStep> steps(const std::string& id);
  std::vector<store::OutsideCall> calls(const std::string& id);
  // Every step detail of the run joined by newlines.
  std::string step_text(const std::string& id);

  // What the stand-ins saw: jobs of a kind, dispatches, stored samples.
  std::size_t jobs_of(const std::string& kind) const;
  std::size_t dispatches() const { return world.standins.dispatches().size(); }
  std::size_t samples() const { return world.standins.samples().size(); }
  std::size_t requests(standins::Route route) const {
    return world.standins.requests(route).size();
  }

 private:
  util::UnixMs m_next = 0;
};

}  // namespace driftd::test
