#pragma once
// Helpers for the config tests: environment changes that undo themselves, a temporary
// folder, and short ways to look at a load's problems.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "driftd/config/loader.hpp"
#include "driftd/util/secrets.hpp"

namespace driftd::config::test {

// Sets or unsets environment variables; the destructor puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv() = default;
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() {
    for (const auto& [name, old] : m_saved) {
      if (old) {
        ::setenv(name.c_str(), old->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }

  void set(const std::string& name, const std::string& value) {
    save(name);
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  void unset(const std::string& name) {
    save(name);
    ::unsetenv(name.c_str());
  }
  // Unsets everything the config can read from the environment.
  void clear_config_environment() {
    for (const char* name : {"EI_API_KEY", "GITHUB_TOKEN", "DRIFTD_ADMIN_TOKEN", "DRIFTD_CONFIG",
                             "CREDENTIALS_DIRECTORY"}) {
      unset(name);
    }
  }

 private:
  void save(const std::string& name) {
    if (m_saved.count(name) != 0) return;
    const char* old = std::getenv(name.c_str());
    m_saved[name] = old ? std::optional<std::string>(old) : std::nullopt;
  }
  std::map<std::string, std::optional<std::string>> m_saved;
};

// A fresh folder under the system temp dir, removed with everything in it at the end.
class TempDir {
 public:
  TempDir()
      : m_path(std::filesystem::temp_directory_path() /
               ("driftd-config-test-" + util::random_hex(8))) {
    std::filesystem::create_directories(m_path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  const std::filesystem::path& path() const { return m_path; }

  std::string write(const std::string& name, const std::string& content) const {
    const auto file = m_path / name;
    std::ofstream(file, std::ios::binary) << content;
    return file.string();
  }

 private:
  std::filesystem::path m_path;
};

inline std::string repo_root() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().string();
}

inline std::string shipped_config_path() {
  return repo_root() + "/config/driftd.yaml";
}

inline std::vector<std::string> rendered(const LoadOutcome& outcome) {
  std::vector<std::string> out;
  for (const auto& p : outcome.problems) out.push_back(p.to_string());
  return out;
}

// The problems at `line` whose message contains `text`.
inline std::size_t count_problems(const LoadOutcome& outcome, int line, const std::string& text) {
  std::size_t n = 0;
  for (const auto& p : outcome.problems) {
    if (p.line == line && p.message.find(text) != std::string::npos) ++n;
  }
  return n;
}

inline bool has_problem(const LoadOutcome& outcome, int line, const std::string& text) {
  return count_problems(outcome, line, text) == 1;
}

// Loads YAML text as "test.yaml".
inline LoadOutcome load(const std::string& yaml) {
  return load_string(yaml, "test.yaml");
}

// Loads YAML text as "test.yaml" with a retrain section appended (after the given lines,
// so their numbers stay) that turns outside calls off, unless the text has its own.
inline LoadOutcome load_offline(const std::string& yaml) {
  if (yaml.find("retrain:") != std::string::npos) return load(yaml);
  return load(yaml + "\nretrain:\n  dry_run: true\n");
}

}  // namespace driftd::config::test
