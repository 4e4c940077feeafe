#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
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

// Every `Key=value` line of the unit, in order (a key may repeat).
std::multimap<std::string, std::string> unit_settings(const std::string& text) {
  std::multimap<std::string, std::string> settings;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    const auto eq = line.find('=');
    if (eq != std::string::npos) settings.emplace(line.substr(0, eq), line.substr(eq + 1));
  }
  return settings;
}

std::string setting(const std::multimap<std::string, std::string>& s, const std::string& key) {
  const auto it = s.find(key);
  return it == s.end() ? std::string() : it->second;
}

// A copy of the unit whose ExecStart runs the binary just built, in a fresh folder.
std::filesystem::path unit_for_built_binary() {
  std::string text = read_text(dt::source_dir() / "systemd" / "driftd.service");
  text = std::regex_replace(text, std::regex("^ExecStart=/usr/bin/driftd", std::regex::multiline),
                            std::string("ExecStart=") + DRIFTD_BINARY);
  const auto unit = dt::artifact_dir("systemd") / "driftd.service";
  std::ofstream(unit) << text;
  return unit;
}

}  // namespace

TEST_CASE("the systemd unit is a notify service with watchdog, drain room and credentials") {
  const auto s = unit_settings(read_text(dt::source_dir() / "systemd" / "driftd.service"));
  CHECK(setting(s, "Type") == "notify");
  CHECK(setting(s, "ExecStart") == "/usr/bin/driftd serve");
  CHECK(setting(s, "WatchdogSec") == "30s");
  CHECK(setting(s, "Restart") == "on-failure");
  CHECK(setting(s, "TimeoutStopSec") == "30s");  // the drain deadline is 10 s
  CHECK(setting(s, "StateDirectory") == "driftd");
  CHECK(setting(s, "WorkingDirectory") == "/var/lib/driftd");
  CHECK(setting(s, "ConfigurationDirectory") == "driftd");
  CHECK(setting(s, "Environment") == "DRIFTD_CONFIG=/etc/driftd/driftd.yaml");
  std::vector<std::string> credentials;
  for (auto [it, end] = s.equal_range("LoadCredential"); it != end; ++it) {
    credentials.push_back(it->second.substr(0, it->second.find(':')));
  }
  CHECK(credentials ==
        std::vector<std::string>{"EI_API_KEY", "GITHUB_TOKEN", "DRIFTD_ADMIN_TOKEN"});
  CHECK(setting(s, "DynamicUser") == "yes");
  CHECK(setting(s, "NoNewPrivileges") == "yes");
  CHECK(setting(s, "ProtectSystem") == "strict");
  CHECK(setting(s, "CapabilityBoundingSet").empty());
  CHECK(setting(s, "UMask") == "0077");
}

TEST_CASE("driftd-run gives admin commands the identity, directories and credentials of the unit") {
  const auto unit = unit_settings(read_text(dt::source_dir() / "systemd" / "driftd.service"));
  const std::string script = read_text(dt::source_dir() / "systemd" / "driftd-run");
  std::multimap<std::string, std::string> run;
  const std::regex property("-p ([A-Za-z]+)=(\\S+)");
  for (auto it = std::sregex_iterator(script.begin(), script.end(), property);
       it != std::sregex_iterator(); ++it) {
    run.emplace((*it)[1].str(), (*it)[2].str());
  }
  for (const char* key : {"DynamicUser", "User", "Group", "StateDirectory", "StateDirectoryMode",
                          "ConfigurationDirectory", "WorkingDirectory", "UMask"}) {
    CHECK_MESSAGE(setting(run, key) == setting(unit, key), key);
    CHECK_MESSAGE(!setting(unit, key).empty(), key);
  }
  std::multiset<std::string> unit_credentials;
  std::multiset<std::string> run_credentials;
  for (auto [it, end] = unit.equal_range("LoadCredential"); it != end; ++it) {
    unit_credentials.insert(it->second);
  }
  for (auto [it, end] = run.equal_range("LoadCredential"); it != end; ++it) {
    run_credentials.insert(it->second);
  }
  CHECK(run_credentials == unit_credentials);
  CHECK(script.find("DRIFTD_CONFIG=\"${DRIFTD_CONFIG:-" + setting(unit, "Environment").substr(14) +
                    "}\"") != std::string::npos);
}

TEST_CASE("the configuration installed with the unit keeps its state in the state directory") {
  const YAML::Node config = YAML::LoadFile((dt::source_dir() / "systemd" / "driftd.yaml").string());
  CHECK(config["storage"]["database"].as<std::string>() == "/var/lib/driftd/driftd.db");
  CHECK(config["storage"]["clips_dir"].as<std::string>() == "/var/lib/driftd/clips");
  CHECK(config["server"]["listen"].as<std::string>().starts_with("127.0.0.1:"));
  CHECK(config["edge_impulse"]["api_key_env"].as<std::string>() == "EI_API_KEY");
  CHECK(config["github"]["token_env"].as<std::string>() == "GITHUB_TOKEN");
  CHECK(config["auth"]["admin_token_env"].as<std::string>() == "DRIFTD_ADMIN_TOKEN");
}

TEST_CASE("systemd-analyze verifies the unit without a warning") {
  if (!dt::have_program("systemd-analyze")) {
    MESSAGE("systemd-analyze not installed (scripts/install-deps.sh --extras); unit not verified");
    return;
  }
  const auto unit = unit_for_built_binary();
  const auto result = dt::run_command("systemd-analyze verify --man=no '" + unit.string() + "'");
  CHECK_MESSAGE(result.exit_code == 0, result.output);
  // Unknown keys and bad values are only warnings: any line about our unit fails the test.
  CHECK_MESSAGE(result.output.find("driftd.service") == std::string::npos, result.output);
}

TEST_CASE("systemd-analyze rates the unit's sandbox exposure as low") {
  if (!dt::have_program("systemd-analyze")) {
    MESSAGE("systemd-analyze not installed; exposure not rated");
    return;
  }
  const auto unit = unit_for_built_binary();
  const auto result =
      dt::run_command("systemd-analyze security --offline=yes --no-pager '" + unit.string() + "'");
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_search(result.output, m,
                                    std::regex("Overall exposure level for driftd.service: "
                                               "([0-9]+\\.[0-9]+)")),
                  result.output);
  CHECK(std::stod(m[1].str()) <= 2.0);
}
