#include "support/retrain_fixture.hpp"

#include <algorithm>

namespace driftd::test {

RetrainBench::RetrainBench(standins::StandinOptions options) : world(std::move(options)) {
  config.storage.database = (dir.path() / "driftd.db").string();
  config.storage.clips_dir = (dir.path() / "clips").string();
  config.edge_impulse = world.edge_impulse;
  config.github = world.github;
  config.retrain.dry_run = false;
  config.retrain.poll_interval = std::chrono::milliseconds(10);
  config.retrain.job_timeout = std::chrono::minutes(30);
  store = open_store(dir.path() / "driftd.db");
  store::ClipArchiveOptions archive_options;
  archive_options.dir = config.storage.clips_dir;
  auto opened = store::ClipArchive::open(*store, archive_options, now);
  REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
  archive = std::move(opened).value();
}

jobs::RetrainRunnerOptions RetrainBench::options(jobs::Checkpoint checkpoint) const {
  jobs::RetrainRunnerOptions o;
  o.ei_api_key = world.standins.options().ei_api_key;
  o.github_token = world.standins.options().github_token;
  o.timeouts = net::TimeoutPolicy::uniform({std::chrono::seconds(2), std::chrono::seconds(2)});
  o.observer = world.observer;
  o.metrics = metrics;
  o.checkpoint = std::move(checkpoint);
  o.seed = 7;
  return o;
}

std::unique_ptr<jobs::RetrainRunner> RetrainBench::runner(jobs::Checkpoint checkpoint) {
  return std::make_unique<jobs::RetrainRunner>(*store, config, options(std::move(checkpoint)));
}

std::vector<std::string> RetrainBench::add_clips(const std::vector<std::string>& devices,
                                                 const std::vector<std::string>& labels,
                                                 int per_group, double confidence) {
  std::vector<std::string> ids;
  unsigned seed = static_cast<unsigned>(samples() * 1000 + 17);
  for (const auto& device : devices) {
    for (const auto& label : labels) {
      for (int i = 0; i < per_group; ++i) {
        store::ClipUpload upload;
        upload.device_id = device;
        upload.model_version = "12";
        upload.timestamp = now - 60'000 - static_cast<util::UnixMs>(ids.size()) * 1000;
        upload.received = now;
        upload.label = label;
        upload.confidence = confidence;
        upload.extension = "wav";
        upload.sample_rate_hz = 16000;
        upload.channels = 1;
        upload.duration_ms = 100;
        auto stored = archive->add(upload, wav_clip(seed++ + static_cast<unsigned>(ids.size())));
        REQUIRE_MESSAGE(stored.ok(), (stored.ok() ? "" : stored.error().message));
        ids.push_back(stored->clip_id);
      }
    }
  }
  return ids;
}

std::string RetrainBench::start_run(bool force) {
  jobs::RetrainRequest request;
  request.model_version = "12";
  request.reason = "test";
  request.force = force;
  auto outcome = jobs::request_retrain(*store, config, request, now, metrics.retrain_runs);
  REQUIRE_MESSAGE(outcome.ok(), (outcome.ok() ? "" : outcome.error().message));
  REQUIRE_MESSAGE(outcome->run.has_value(),
                  (outcome->blocked ? outcome->blocked->message : std::string("no run")));
  return outcome->run->id;
}

void RetrainBench::tick(jobs::RetrainRunner& runner) {
  now = std::max(now, m_next);
  auto next = runner.run_once(now);
  REQUIRE_MESSAGE(next.ok(), (next.ok() ? "" : next.error().message));
  m_next = next->value_or(now);
}

store::RetrainRun RetrainBench::drive(jobs::RetrainRunner& runner, const std::string& id,
                                      int max_ticks) {
  for (int i = 0; i < max_ticks; ++i) {
    if (store::is_terminal(run(id).state)) break;
    tick(runner);
  }
  return run(id);
}

store::RetrainRun RetrainBench::run(const std::string& id) {
  auto found = store::find_run(*store, id);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  return **found;
}

std::vector<store::RunStep> RetrainBench::steps(const std::string& id) {
  auto s = store::run_steps(*store, id);
  REQUIRE(s.ok());
  return *s;
}

std::vector<store::OutsideCall> RetrainBench::calls(const std::string& id) {
  auto c = store::run_calls(*store, id);
  REQUIRE(c.ok());
  return *c;
}

std::string RetrainBench::step_text(const std::string& id) {
  std::string text;
  for (const auto& s : steps(id)) text += s.step + ": " + s.detail + "\n";
  return text;
}

std::size_t RetrainBench::jobs_of(const std::string& kind) const {
  const auto all = world.standins.jobs();
  return static_cast<std::size_t>(
      std::count_if(all.begin(), all.end(), [&](const auto& j) { return j.kind == kind; }));
}

}  // namespace driftd::test
