#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "support/source_tree.hpp"

namespace dt = driftd::test;

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `docker-compose config` of the repository's compose file, optionally with a profile.
dt::CommandResult compose_config(const std::string& extra_args) {
  const auto file = dt::source_dir() / "docker-compose.yml";
  return dt::run_command("env -u DRIFTD_CONFIG_FILE -u DRIFTD_PUBLISH docker-compose -f '" +
                         file.string() + "' " + extra_args + " config");
}

// The HOST:PORT given to driftd-standins with --listen in the standins service's command.
std::string standins_listen(const YAML::Node& compose) {
  std::string command;
  for (const auto& part : compose["services"]["standins"]["command"]) {
    command += part.as<std::string>() + ' ';
  }
  std::smatch m;
  return std::regex_search(command, m, std::regex("--listen (\\S+)")) ? m[1].str() : "";
}

}  // namespace

TEST_CASE("docker-compose accepts the compose file with and without the demo profile") {
  if (!dt::have_program("docker-compose")) {
    MESSAGE("docker-compose not installed (scripts/install-deps.sh --extras); not checked");
    return;
  }
  const auto plain = compose_config("");
  REQUIRE_MESSAGE(plain.exit_code == 0, plain.output);
  const auto demo = compose_config("--profile demo");
  REQUIRE_MESSAGE(demo.exit_code == 0, demo.output);

  const YAML::Node config = YAML::Load(demo.output);
  const YAML::Node driftd = config["services"]["driftd"];
  CHECK(driftd["environment"]["DRIFTD_CONFIG"].as<std::string>() == "/etc/driftd/driftd.yaml");
  CHECK(driftd["stop_grace_period"].as<std::string>() == "30s");  // drain is 10 s
  const YAML::Node volume = driftd["volumes"][0];  // short or long syntax, by compose version
  CHECK((volume.IsMap() ? volume["target"].as<std::string>()
                        : volume.as<std::string>().substr(volume.as<std::string>().find(':') + 1))
            .starts_with("/var/lib/driftd"));
  std::vector<std::string> secret_targets;
  for (const auto& s : driftd["secrets"]) secret_targets.push_back(s["target"].as<std::string>());
  CHECK(secret_targets ==
        std::vector<std::string>{"EI_API_KEY", "GITHUB_TOKEN", "DRIFTD_ADMIN_TOKEN"});
  // No secret is given literally: every environment value is a path or a plain setting.
  for (const auto& service : config["services"]) {
    for (const auto& env : service.second["environment"]) {
      const auto key = env.first.as<std::string>();
      CHECK_MESSAGE(key.find("TOKEN") == std::string::npos, key);
      CHECK_MESSAGE(key.find("KEY") == std::string::npos, key);
    }
  }
  CHECK(standins_listen(config) == "0.0.0.0:9000");
  CHECK(config["services"]["standins"]["entrypoint"][0].as<std::string>() == "/bin/sh");
  CHECK(config["services"]["simulator"]["entrypoint"][0].as<std::string>() == "driftd-sim");
}

TEST_CASE("the demo configuration points Edge Impulse and GitHub at the stand-ins service") {
  const YAML::Node demo = YAML::LoadFile((dt::source_dir() / "docker" / "demo.yaml").string());
  const YAML::Node compose = YAML::LoadFile((dt::source_dir() / "docker-compose.yml").string());
  const std::string listen = standins_listen(compose);
  REQUIRE(listen.find(':') != std::string::npos);
  const std::string url = "http://standins:" + listen.substr(listen.find(':') + 1);
  CHECK(demo["edge_impulse"]["studio_url"].as<std::string>() == url);
  CHECK(demo["edge_impulse"]["ingestion_url"].as<std::string>() == url);
  CHECK(demo["github"]["api_url"].as<std::string>() == url);
  CHECK(demo["server"]["listen"].as<std::string>() == "0.0.0.0:8080");
  CHECK(demo["retrain"]["dry_run"].as<bool>() == false);
  // The stand-ins serve the project and repository the demo configuration names.
  std::string command;
  for (const auto& part : compose["services"]["standins"]["command"]) {
    command += part.as<std::string>();
  }
  CHECK(command.find("--project-id " + demo["edge_impulse"]["project_id"].as<std::string>()) !=
        std::string::npos);
  CHECK(command.find("--repository " + demo["github"]["repository"].as<std::string>()) !=
        std::string::npos);

  const YAML::Node image = YAML::LoadFile((dt::source_dir() / "docker" / "driftd.yaml").string());
  CHECK(image["server"]["listen"].as<std::string>() == "0.0.0.0:8080");
  CHECK(image["storage"]["database"].as<std::string>().starts_with("/var/lib/driftd/"));
  CHECK(image["storage"]["clips_dir"].as<std::string>().starts_with("/var/lib/driftd/"));
}

TEST_CASE(
    "the Dockerfile builds on Debian 12, runs unprivileged and copies only files that exist") {
  const std::string text = read_text(dt::source_dir() / "Dockerfile");
  CHECK(std::regex_search(text, std::regex("^FROM debian:12 AS build$", std::regex::multiline)));
  CHECK(std::regex_search(text,
                          std::regex("^FROM debian:12-slim AS runtime$", std::regex::multiline)));
  CHECK(std::regex_search(text, std::regex("^USER driftd$", std::regex::multiline)));
  CHECK(text.find("VOLUME [\"/var/lib/driftd\"]") != std::string::npos);
  CHECK(text.find("http://127.0.0.1:8080/healthz") != std::string::npos);
  const std::regex copy("^COPY (?!--from)(\\S+) ", std::regex::multiline);
  int copies = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), copy); it != std::sregex_iterator();
       ++it) {
    const std::string source = (*it)[1].str();
    ++copies;
    CHECK_MESSAGE(std::filesystem::exists(dt::source_dir() / source), source);
  }
  CHECK(copies >= 3);
}

TEST_CASE("the runtime package list of the image names installed Debian packages") {
  if (!dt::have_program("dpkg-query")) {
    MESSAGE("not a Debian system; runtime package derivation not checked");
    return;
  }
  const auto script = dt::source_dir() / "docker" / "runtime-packages.sh";
  const auto result = dt::run_command("'" + script.string() + "' '" + DRIFTD_BINARY + "'");
  REQUIRE_MESSAGE(result.exit_code == 0, result.output);
  std::istringstream in(result.output);
  std::vector<std::string> packages;
  for (std::string line; std::getline(in, line);) packages.push_back(line);
  CHECK(std::find(packages.begin(), packages.end(), "libc6") != packages.end());
  CHECK(std::find(packages.begin(), packages.end(), "libstdc++6") != packages.end());
  for (const auto& p : packages) {
    CHECK_MESSAGE(dt::run_command("dpkg-query -W '" + p + "'").exit_code == 0, p);
  }
}
