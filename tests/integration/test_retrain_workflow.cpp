// The GitHub workflow driftd's dispatch runs (config/github/build_deploy.yml): it parses,
// listens for the event type driftd sends by default, and builds with edgeimpulse/build-deploy
// from the repository's secrets, bringing the three model folders into the repository.
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <string>

#include "driftd/config/config.hpp"
#include "support/source_tree.hpp"

using namespace driftd;

namespace {

YAML::Node workflow() {
  return YAML::LoadFile((test::source_dir() / "config/github/build_deploy.yml").string());
}

bool contains(const YAML::Node& list, const std::string& value) {
  if (!list || !list.IsSequence()) return false;
  for (const auto& item : list) {
    if (item.as<std::string>() == value) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the build-deploy workflow parses and runs on push to main and on driftd's dispatch") {
  YAML::Node w;
  REQUIRE_NOTHROW(w = workflow());
  REQUIRE(w.IsMap());
  const YAML::Node on = w["on"];
  REQUIRE(on.IsMap());
  CHECK(contains(on["push"]["branches"], "main"));
  CHECK(contains(on["repository_dispatch"]["types"], config::GitHub{}.event_type));
}

TEST_CASE("the workflow builds with edgeimpulse/build-deploy@v1 from the repository's secrets") {
  const YAML::Node jobs = workflow()["jobs"];
  REQUIRE(jobs.IsMap());
  int build_steps = 0;
  std::string extract_script;
  for (const auto& job : jobs) {
    for (const auto& step : job.second["steps"]) {
      if (step["uses"] && step["uses"].as<std::string>() == "edgeimpulse/build-deploy@v1") {
        ++build_steps;
        const auto with = step["with"];
        CHECK(with["project_id"].as<std::string>().find("secrets.EI_PROJECT_ID") !=
              std::string::npos);
        CHECK(with["api_key"].as<std::string>().find("secrets.EI_API_KEY") != std::string::npos);
      }
      if (step["run"] && step["run"].as<std::string>().find("unzip") != std::string::npos) {
        extract_script = step["run"].as<std::string>();
      }
    }
  }
  CHECK(build_steps == 1);
  for (const char* dir : {"edge-impulse-sdk", "model-parameters", "tflite-model"}) {
    CHECK_MESSAGE(extract_script.find(dir) != std::string::npos, dir);
  }
}

TEST_CASE("a repeated dispatch for the same job cannot deploy twice") {
  const YAML::Node w = workflow();
  const std::string group = w["concurrency"]["group"].as<std::string>();
  CHECK(group.find("client_payload.job_id") != std::string::npos);
  CHECK(w["concurrency"]["cancel-in-progress"].as<bool>() == false);
}
