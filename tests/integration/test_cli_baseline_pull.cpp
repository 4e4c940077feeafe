// `driftd baseline pull` with the real binary against the in-process Studio stand-in:
// paginated listing, the reference stored from the training samples only, and a resume
// after a failure midway that downloads no sample twice.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>

#include "driftd/standins/standins.hpp"
#include "driftd/store/references.hpp"
#include "driftd/store/store.hpp"
#include "support/daemon_process.hpp"
#include "support/training_audio.hpp"

using namespace driftd;
using namespace driftd::test;
namespace fs = std::filesystem;
using standins::Fault;
using standins::FaultKind;
using standins::Route;

namespace {

// Seven labelled and one unlabeled training samples, and one test sample.
std::vector<std::int64_t> seed_project(standins::Standins& world) {
  std::vector<std::int64_t> training;
  for (int i = 0; i < 4; ++i) {
    training.push_back(world.add_sample("training", "dog." + std::to_string(i) + ".wav", "dog",
                                        tone_wav(440, 100 + i)));
  }
  for (int i = 0; i < 3; ++i) {
    training.push_back(world.add_sample("training", "cat." + std::to_string(i) + ".wav", "cat",
                                        tone_wav(1200, 200 + i)));
  }
  training.push_back(world.add_sample("training", "noise.wav", std::nullopt, tone_wav(3000, 300)));
  world.add_sample("testing", "dog.test.wav", "dog", tone_wav(440, 400));
  return training;
}

std::string pull_config(const standins::Standins& world) {
  return basic_config({{"edge_impulse.project_id", "1"},
                       {"edge_impulse.studio_url", "\"" + world.base_url() + "\""}});
}

// Successful WAV downloads per sample id.
std::map<std::int64_t, int> downloads(const standins::Standins& world) {
  static const std::regex k_path(R"(/raw-data/(\d+)/wav)");
  std::map<std::int64_t, int> counts;
  for (const auto& request : world.requests(Route::studio_raw_data_wav)) {
    std::smatch m;
    if (request.status == 200 && std::regex_search(request.path, m, k_path)) {
      ++counts[std::stoll(m[1])];
    }
  }
  return counts;
}

Fault pass_through(int times) {
  Fault fault;
  fault.kind = FaultKind::slow;
  fault.delay = std::chrono::milliseconds(0);
  fault.times = times;
  return fault;
}

Fault server_errors(int times) {
  Fault fault;
  fault.kind = FaultKind::server_error;
  fault.times = times;
  return fault;
}

}  // namespace

TEST_CASE("baseline pull resumes after a failure midway without downloading a sample twice") {
  standins::Standins world;
  world.start();
  const auto training = seed_project(world);
  TempDir dir;
  std::ofstream(dir.path() / "driftd.yaml") << pull_config(world);
  const std::map<std::string, std::string> env{{"EI_API_KEY", world.options().ei_api_key}};

  // Two downloads pass; the third fails once (retried); the fourth fails on every try.
  world.inject_fault(Route::studio_raw_data_wav, pass_through(2));
  world.inject_fault(Route::studio_raw_data_wav, server_errors(1));
  world.inject_fault(Route::studio_raw_data_wav, pass_through(1));
  world.inject_fault(Route::studio_raw_data_wav, server_errors(4));
  const CliResult failed = run_driftd(
      {"baseline", "pull", "--config", "driftd.yaml", "--page-size", "3"}, dir.path(), env);
  INFO(failed.err);
  CHECK(failed.exit_code == 1);
  CHECK(failed.err.find("retrying in") != std::string::npos);
  CHECK(failed.err.find("stopped after 3 of 8 samples; run it again to resume") !=
        std::string::npos);
  CHECK(failed.err.find(world.options().ei_api_key) == std::string::npos);
  CHECK(downloads(world).size() == 3);
  CHECK(world.requests(Route::studio_raw_data).size() == 3);  // 8 samples, 3 per page
  CHECK(fs::exists(dir.path() / "var" / "pull-cache" / "1"));

  const CliResult resumed = run_driftd(
      {"baseline", "pull", "--config", "driftd.yaml", "--page-size", "3"}, dir.path(), env);
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.err.find("3 samples came from the cache") != std::string::npos);
  CHECK(resumed.err.find("8/8 samples, 48 windows, 0 skipped") != std::string::npos);
  CHECK(resumed.out.find("stored for model version default") != std::string::npos);
  CHECK(resumed.out.find("source:   pull:project 1") != std::string::npos);
  const auto counts = downloads(world);
  CHECK(counts.size() == training.size());
  for (std::int64_t id : training) CHECK(counts.count(id) == 1);
  for (const auto& [id, n] : counts) CHECK(n == 1);
  CHECK_FALSE(fs::exists(dir.path() / "var" / "pull-cache" / "1"));

  store::StoreOptions options;
  options.database = dir.path() / "var" / "driftd.db";
  auto opened = store::Store::open(std::move(options), 1);
  REQUIRE(opened.ok());
  auto reference = store::load_active_reference(*opened.value(), "default");
  REQUIRE(reference.ok());
  REQUIRE(reference->has_value());
  const auto& stored = **reference;
  CHECK(stored.info.source == "pull:project 1");
  CHECK(stored.info.clips == 8);
  CHECK(stored.info.windows == 48);
  CHECK(stored.info.labels == stats::LabelCounts{{"cat", 18}, {"dog", 24}});
  CHECK(stored.reference.predictions.results_per_unit == doctest::Approx(6.0));
}

TEST_CASE("baseline pull needs the project id and the API key") {
  standins::Standins world;
  world.start();
  TempDir dir;
  std::ofstream(dir.path() / "driftd.yaml") << pull_config(world);
  const CliResult no_key =
      run_driftd({"baseline", "pull", "--config", "driftd.yaml"}, dir.path(), {{"EI_API_KEY", ""}});
  CHECK(no_key.exit_code == 2);
  CHECK(no_key.err.find("EI_API_KEY") != std::string::npos);

  std::ofstream(dir.path() / "no-project.yaml") << basic_config();
  const CliResult no_project = run_driftd({"baseline", "pull", "--config", "no-project.yaml"},
                                          dir.path(), {{"EI_API_KEY", "ei_x"}});
  CHECK(no_project.exit_code == 2);
  CHECK(no_project.err.find("edge_impulse.project_id") != std::string::npos);
  CHECK(world.requests().empty());
}

TEST_CASE("baseline pull stops with exit 1 on a refused key and on an empty project") {
  standins::Standins world;
  world.start();
  TempDir dir;
  std::ofstream(dir.path() / "driftd.yaml") << pull_config(world);
  const CliResult refused = run_driftd({"baseline", "pull", "--config", "driftd.yaml"}, dir.path(),
                                       {{"EI_API_KEY", "ei_wrong_key"}});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("ei_wrong_key") == std::string::npos);
  CHECK(world.requests(Route::studio_raw_data).size() == 1);  // permanent: not retried

  const CliResult empty = run_driftd({"baseline", "pull", "--config", "driftd.yaml"}, dir.path(),
                                     {{"EI_API_KEY", world.options().ei_api_key}});
  CHECK(empty.exit_code == 1);
  CHECK(empty.err.find("has no training samples") != std::string::npos);
}
