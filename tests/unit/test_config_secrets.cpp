#include <doctest/doctest.h>

#include "driftd/config/loader.hpp"
#include "driftd/config/render.hpp"
#include "test_config_support.hpp"

using namespace driftd::config;
using namespace driftd::config::test;

namespace {

constexpr const char* k_live_retrain =
    "retrain:\n"                     // 1
    "  enabled: true\n"              // 2
    "  dry_run: false\n"             // 3
    "edge_impulse:\n"                // 4
    "  project_id: 4242\n"           // 5
    "  api_key_env: EI_API_KEY\n"    // 6
    "github:\n"                      // 7
    "  repository: acme/firmware\n"  // 8
    "  token_env: GITHUB_TOKEN\n";   // 9

constexpr const char* k_ei_secret = "ei_0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr const char* k_gh_secret = "ghp_SuperSecretTokenValue42";

}  // namespace

TEST_CASE("secrets are not required while retrain is disabled or a dry run") {
  ScopedEnv env;
  env.clear_config_environment();
  CHECK(load("retrain:\n  enabled: false\n").ok());
  CHECK(load("retrain:\n  dry_run: true\n").ok());
}

TEST_CASE("live retrain needs a project, a repository and both secrets, each at its line") {
  ScopedEnv env;
  env.clear_config_environment();
  const LoadOutcome o = load(k_live_retrain);
  REQUIRE(o.problems.size() == 2);
  CHECK(o.problems[0].to_string() ==
        "test.yaml:6: edge_impulse.api_key_env names EI_API_KEY, but neither the environment "
        "variable nor a credential of that name is set (needed because retrain.enabled is true "
        "and retrain.dry_run is false; set retrain.dry_run: true to run without calling Edge "
        "Impulse or GitHub)");
  CHECK(has_problem(o, 9,
                    "github.token_env names GITHUB_TOKEN, but neither the environment "
                    "variable nor a credential of that name is set"));

  // With everything left at its default, the problems point at the sections or line 1.
  const LoadOutcome bare =
      load("retrain:\n  dry_run: false\nedge_impulse:\n  studio_url: http://x\n");
  CHECK(bare.problems.size() == 4);
  CHECK(
      has_problem(bare, 3, "edge_impulse.project_id must be set to the Edge Impulse project's id"));
  CHECK(has_problem(bare, 3, "edge_impulse.api_key_env names EI_API_KEY"));
  CHECK(has_problem(bare, 1, "github.repository must be set to owner/name"));
  CHECK(has_problem(bare, 1, "github.token_env names GITHUB_TOKEN"));
}

TEST_CASE("offline commands load a live-retrain config without its secrets") {
  ScopedEnv env;
  env.clear_config_environment();
  TempDir dir;
  const std::string path = dir.write("driftd.yaml", k_live_retrain);
  CHECK(load_file(path).problems.size() == 2);
  const LoadOutcome offline = load_file(path, Checks::offline);
  CHECK(offline.ok());
  CHECK(offline.config.edge_impulse.project_id == 4242);
  // Problems inside the file are still reported.
  dir.write("driftd.yaml", std::string(k_live_retrain) + "server:\n  threads: many\n");
  CHECK_FALSE(load_file(path, Checks::offline).ok());
}

TEST_CASE("a secret is found in the environment") {
  ScopedEnv env;
  env.clear_config_environment();
  env.set("EI_API_KEY", k_ei_secret);
  env.set("GITHUB_TOKEN", k_gh_secret);
  const LoadOutcome o = load(k_live_retrain);
  CHECK(o.ok());
}

TEST_CASE("a secret is found as a systemd credential file") {
  ScopedEnv env;
  env.clear_config_environment();
  TempDir creds;
  creds.write("EI_API_KEY", std::string(k_ei_secret) + "\n");
  env.set("CREDENTIALS_DIRECTORY", creds.path().string());
  const LoadOutcome o = load(k_live_retrain);
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].line == 9);  // only the GitHub token is missing

  creds.write("GITHUB_TOKEN", k_gh_secret);
  CHECK(load(k_live_retrain).ok());
}

TEST_CASE("an empty secret name is reported when the secret is needed") {
  ScopedEnv env;
  env.clear_config_environment();
  env.set("EI_API_KEY", k_ei_secret);
  const LoadOutcome o = load(std::string(k_live_retrain) + "  api_url: https://api.github.com\n");
  CHECK(o.problems.size() == 1);
  const LoadOutcome empty_name = load(
      "retrain:\n  dry_run: false\nedge_impulse:\n  project_id: 1\n  api_key_env: \"\"\n"
      "github:\n  repository: a/b\n  token_env: GITHUB_TOKEN\n");
  CHECK(has_problem(empty_name, 5,
                    "edge_impulse.api_key_env must name the environment variable "
                    "or credential that holds the Edge Impulse API key"));
}

TEST_CASE("secret values never appear in problems or in the rendered config") {
  ScopedEnv env;
  env.clear_config_environment();
  env.set("EI_API_KEY", k_ei_secret);
  env.set("GITHUB_TOKEN", k_gh_secret);
  // The secrets pasted where names and URLs belong, plus an unrelated error using them.
  const std::string yaml = std::string("retrain:\n  dry_run: false\n") +
                           "edge_impulse:\n  project_id: 7\n  api_key_env: " + k_ei_secret +
                           "\n  studio_url: https://user:" + k_gh_secret +
                           "@studio.edgeimpulse.com\n"
                           "github:\n  repository: a/b\n  token_env: " +
                           k_gh_secret + "\n  event_type: " + k_gh_secret + "x\n";
  const LoadOutcome o = load(yaml);
  CHECK(has_problem(o, 5,
                    "edge_impulse.api_key_env must be the name of the environment variable "
                    "or credential that holds the secret, not the secret itself"));
  CHECK(has_problem(o, 6, "edge_impulse.studio_url must not contain a user name or password"));
  CHECK(has_problem(o, 9, "github.token_env must be the name"));
  for (const auto& line : rendered(o)) {
    CHECK(line.find(k_ei_secret) == std::string::npos);
    CHECK(line.find(k_gh_secret) == std::string::npos);
  }
  Config c;
  c.edge_impulse.api_key_env = k_ei_secret;
  c.edge_impulse.studio_url = std::string("https://user:") + k_gh_secret + "@studio.example";
  for (const std::string& text : {render_yaml(c), render_json(c)}) {
    CHECK(text.find(k_ei_secret) == std::string::npos);
    CHECK(text.find(k_gh_secret) == std::string::npos);
    CHECK(text.find("@studio.example") != std::string::npos);
  }
}
