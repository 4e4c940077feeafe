#pragma once
// Runs the real driftd binary for integration tests: a temp state folder with its own
// config, the daemon on an ephemeral loopback port, an HTTP client bound to it, and a clean
// stop (SIGTERM) or a crash (SIGKILL) on demand.

#include <httplib.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace driftd::test {

// A temp folder removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `driftd ARGS...` to completion in `cwd` with extra environment variables.
CliResult run_driftd(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                     const std::map<std::string, std::string>& env = {});

class DaemonProcess {
 public:
  // `config_yaml` is written to <dir>/driftd.yaml; its listen address must use port 0
  // (the harness reads the bound port from the daemon's log).
  DaemonProcess(std::filesystem::path dir, std::string config_yaml,
                std::map<std::string, std::string> env = {});
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Starts the daemon and waits until it listens (fails the test after 20 s).
  void start();
  // SIGTERM, then waits; returns the exit code (-signal when killed by one).
  int stop(int timeout_ms = 20'000);
  // SIGKILL, then reaps.
  void kill_hard();
  bool running() const { return m_pid > 0; }
  // The process id while it runs (-1 otherwise).
  int pid() const { return m_pid; }
  int port() const { return m_port; }
  const std::filesystem::path& dir() const { return m_dir; }
  // Everything the daemon wrote to stderr so far.
  std::string log() const;

  // A client for the daemon with an optional bearer token.
  httplib::Client client(const std::string& token = {}) const;

 private:
  std::filesystem::path m_dir;
  std::map<std::string, std::string> m_env;
  int m_pid = -1;
  int m_port = 0;
  int m_starts = 0;
};

// Config YAML for a daemon on an ephemeral loopback port with state under var/ and retrain
// in dry-run mode; `overrides` maps dotted keys ("drift.min_windows") to YAML values.
std::string basic_config(const std::map<std::string, std::string>& overrides = {});

// Creates a token with the CLI and returns it.
std::string create_token(const std::filesystem::path& dir, const std::string& role,
                         const std::string& device = {});

// The resident set size (VmRSS) of process `pid` in bytes; 0 when it cannot be read.
std::uint64_t resident_bytes(int pid);

}  // namespace driftd::test
