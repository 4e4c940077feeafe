// Restarts of the retrain runner: a new runner on the same database, after a clean stop in
// each state or after a crash at each point around each outside call (the checkpoint
// throws, abandoning the runner mid-step), finishes the run without repeating what was done.
#include <doctest/doctest.h>

#include "driftd/jobs/fault_injection.hpp"
#include "support/retrain_fixture.hpp"

using namespace driftd;
using store::RunState;
using test::RetrainBench;

namespace {

struct Counts {
  std::size_t samples, retrain_jobs, classify_jobs, dispatches;
};

Counts counts(const RetrainBench& bench) {
  return {bench.samples(), bench.jobs_of("retrain"), bench.jobs_of("classify"), bench.dispatches()};
}

// Runs to the crash at `point`, then finishes with a fresh runner; returns the run.
store::RetrainRun crash_and_resume(RetrainBench& bench, const std::string& id,
                                   const std::string& point) {
  auto crashing = bench.runner(jobs::crash_at(point));
  bool crashed = false;
  try {
    bench.drive(*crashing, id);
  } catch (const jobs::SimulatedCrash&) {
    crashed = true;
  }
  REQUIRE_MESSAGE(crashed, "never reached " << point);
  crashing.reset();
  auto resumed = bench.runner();
  return bench.drive(*resumed, id);
}

}  // namespace

TEST_CASE("a new runner in each state finishes the run without repeating anything") {
  for (RunState stop_in :
       {RunState::uploading, RunState::training, RunState::testing, RunState::dispatching}) {
    CAPTURE(store::to_string(stop_in));
    RetrainBench bench;
    const auto clips = bench.add_clips({"dev-a", "dev-b"}, {"yes"}, 2);
    const std::string id = bench.start_run();
    auto first = bench.runner();
    for (int i = 0; i < 100 && bench.run(id).state != stop_in; ++i) bench.tick(*first);
    REQUIRE(bench.run(id).state == stop_in);
    first.reset();
    auto second = bench.runner();
    const auto run = bench.drive(*second, id);
    CHECK(run.state == RunState::succeeded);
    const auto c = counts(bench);
    CHECK(c.samples == clips.size());
    CHECK(c.retrain_jobs == 1);
    CHECK(c.classify_jobs == 1);
    CHECK(c.dispatches == 1);
  }
}

TEST_CASE("a crash at any point around an upload or a job start repeats nothing") {
  for (const char* point : {"upload:intent", "upload:sent", "upload:outcome", "retrain:intent",
                            "retrain:sent", "retrain:outcome", "classify:intent", "classify:sent",
                            "classify:outcome", "dispatch:intent", "dispatch:outcome"}) {
    CAPTURE(point);
    RetrainBench bench;
    const auto clips = bench.add_clips({"dev-a", "dev-b"}, {"yes", "no"}, 1);
    const std::string id = bench.start_run();
    const auto run = crash_and_resume(bench, id, point);
    CHECK_MESSAGE(run.state == RunState::succeeded, bench.step_text(id));
    const auto c = counts(bench);
    CHECK(c.samples == clips.size());
    CHECK(run.clips_uploaded == static_cast<std::int64_t>(clips.size()));
    CHECK(c.retrain_jobs == 1);
    CHECK(c.classify_jobs == 1);
    CHECK(c.dispatches == 1);
    // Every ledger row has its outcome; lost ones are marked so.
    for (const auto& call : bench.calls(id)) CHECK(call.state != store::CallState::intent);
  }
}

TEST_CASE("a crash between GitHub's answer and its record sends the dispatch again") {
  // The one window no local record can close (docs/retrain.md): the runner errs towards
  // sending, and the workflow deduplicates by job id.
  RetrainBench bench;
  const std::string id = bench.start_run();
  const auto run = crash_and_resume(bench, id, "dispatch:sent");
  CHECK(run.state == RunState::succeeded);
  CHECK(bench.dispatches() == 2);
  const auto d = bench.world.standins.dispatches();
  CHECK(d[0].client_payload == d[1].client_payload);
  CHECK(bench.step_text(id).find("sending it again") != std::string::npos);
}

TEST_CASE("an intent recorded but never sent is sent once after the restart") {
  RetrainBench bench;
  const std::string id = bench.start_run();
  const auto run = crash_and_resume(bench, id, "retrain:intent");
  CHECK(run.state == RunState::succeeded);
  CHECK(bench.requests(standins::Route::studio_retrain) == 1);
  const auto text = bench.step_text(id);
  CHECK(text.find("no retrain job was started by the earlier request") != std::string::npos);
  int lost = 0;
  for (const auto& c : bench.calls(id)) {
    if (c.error_kind == std::optional<std::string>("lost")) ++lost;
  }
  CHECK(lost == 1);
}
