#pragma once
// Paths and processes for tests that check files of the source tree (units, compose files,
// docs) with the operator tools that read them (promtool, systemd-analyze, docker-compose).

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include <sys/wait.h>

namespace driftd::test {

// The repository's top folder (DRIFTD_SHARED_DIR is "<repo>/../shared").
inline std::filesystem::path source_dir() {
  std::string shared = DRIFTD_SHARED_DIR;
  constexpr std::string_view k_suffix = "/../shared";
  if (shared.ends_with(k_suffix)) shared.resize(shared.size() - k_suffix.size());
  return std::filesystem::path(shared);
}

// A fresh folder under the test artifacts directory, emptied first.
inline std::filesystem::path artifact_dir(const std::string& name) {
  auto dir = std::filesystem::path(DRIFTD_TEST_ARTIFACTS) / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

struct CommandResult {
  int exit_code = -1;  // the shell's exit status; -1 when it could not be run
  std::string output;  // stdout and stderr together
};

// Runs `command` with /bin/sh, stderr merged into stdout.
inline CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = (status >= 0 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  return result;
}

// True when `program` is found on PATH.
inline bool have_program(const std::string& program) {
  return run_command("command -v " + program + " >/dev/null").exit_code == 0;
}

}  // namespace driftd::test
