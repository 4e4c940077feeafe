#include "support/daemon_process.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

namespace driftd::test {

namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// fork + exec of the driftd binary with stdout/stderr redirected to files.
int spawn(const std::vector<std::string>& args, const std::filesystem::path& cwd,
          const std::map<std::string, std::string>& env, const std::filesystem::path& out,
          const std::filesystem::path& err, bool append_err) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  // child
  if (::chdir(cwd.c_str()) != 0) ::_exit(127);
  int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int e = ::open(err.c_str(), O_WRONLY | O_CREAT | (append_err ? O_APPEND : O_TRUNC), 0644);
  int in = ::open("/dev/null", O_RDONLY);
  if (o < 0 || e < 0 || in < 0) ::_exit(127);
  ::dup2(in, 0);
  ::dup2(o, 1);
  ::dup2(e, 2);
  for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> argv;
  std::string bin = DRIFTD_BINARY;
  argv.push_back(bin.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(bin.c_str(), argv.data());
  ::_exit(127);
}

int wait_exit(int pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return -WTERMSIG(status);
      return -1000;
    }
    if (std::chrono::steady_clock::now() > deadline) return -2000;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

TempDir::TempDir() {
  std::random_device rd;
  auto base = std::filesystem::temp_directory_path();
  for (int i = 0; i < 100; ++i) {
    auto candidate = base / ("driftd-test-" + std::to_string(rd()) + std::to_string(::getpid()));
    if (std::filesystem::create_directory(candidate)) {
      m_path = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temp folder");
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(m_path, ec);
}

CliResult run_driftd(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                     const std::map<std::string, std::string>& env) {
  auto out = cwd / ".cli.out";
  auto err = cwd / ".cli.err";
  int pid = spawn(args, cwd, env, out, err, false);
  CliResult r;
  r.exit_code = wait_exit(pid, 120'000);
  r.out = read_file(out);
  r.err = read_file(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

DaemonProcess::DaemonProcess(std::filesystem::path dir, std::string config_yaml,
                             std::map<std::string, std::string> env)
    : m_dir(std::move(dir)), m_env(std::move(env)) {
  std::ofstream(m_dir / "driftd.yaml") << config_yaml;
}

DaemonProcess::~DaemonProcess() {
  if (m_pid > 0) kill_hard();
}

void DaemonProcess::start() {
  REQUIRE(m_pid <= 0);
  ++m_starts;
  auto log_path = m_dir / "daemon.log";
  const auto before = std::filesystem::exists(log_path) ? read_file(log_path).size() : 0;
  m_pid = spawn({"serve", "--config", "driftd.yaml"}, m_dir, m_env, m_dir / "daemon.out", log_path,
                true);
  static const std::regex k_listening(R"(listening on [^ \n]*:([0-9]+))");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string text = read_file(log_path).substr(before);
    std::smatch m;
    if (std::regex_search(text, m, k_listening)) {
      m_port = std::stoi(m[1]);
      return;
    }
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_pid = -1;
      FAIL("driftd exited during start-up:\n" << text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("driftd did not start listening within 20 s:\n" << log());
}

int DaemonProcess::stop(int timeout_ms) {
  if (m_pid <= 0) return -1;
  ::kill(m_pid, SIGTERM);
  int code = wait_exit(m_pid, timeout_ms);
  if (code == -2000) {
    ::kill(m_pid, SIGKILL);
    wait_exit(m_pid, 5000);
  }
  m_pid = -1;
  return code;
}

void DaemonProcess::kill_hard() {
  if (m_pid <= 0) return;
  ::kill(m_pid, SIGKILL);
  wait_exit(m_pid, 10'000);
  m_pid = -1;
}

std::string DaemonProcess::log() const {
  return read_file(m_dir / "daemon.log");
}

httplib::Client DaemonProcess::client(const std::string& token) const {
  httplib::Client c("127.0.0.1", m_port);
  c.set_connection_timeout(std::chrono::seconds(5));
  c.set_read_timeout(std::chrono::seconds(30));
  c.set_tcp_nodelay(true);
  if (!token.empty()) c.set_bearer_token_auth(token);
  return c;
}

std::string basic_config(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> keys = {
      {"server.listen", "127.0.0.1:0"},      {"server.threads", "4"},
      {"storage.database", "var/driftd.db"}, {"storage.clips_dir", "var/clips"},
      {"retrain.dry_run", "true"},           {"logging.level", "debug"},
  };
  for (const auto& [k, v] : overrides) keys[k] = v;
  // Two levels (section.key) or three (features.mfcc.key).
  std::map<std::string, std::map<std::string, std::string>> sections;
  for (const auto& [k, v] : keys) {
    auto dot = k.find('.');
    sections[k.substr(0, dot)][k.substr(dot + 1)] = v;
  }
  std::string yaml;
  for (const auto& [section, entries] : sections) {
    yaml += section + ":\n";
    std::map<std::string, std::map<std::string, std::string>> nested;
    for (const auto& [k, v] : entries) {
      auto dot = k.find('.');
      if (dot == std::string::npos) {
        yaml += "  " + k + ": " + v + "\n";
      } else {
        nested[k.substr(0, dot)][k.substr(dot + 1)] = v;
      }
    }
    for (const auto& [sub, subentries] : nested) {
      yaml += "  " + sub + ":\n";
      for (const auto& [k, v] : subentries) yaml += "    " + k + ": " + v + "\n";
    }
  }
  return yaml;
}

std::string create_token(const std::filesystem::path& dir, const std::string& role,
                         const std::string& device) {
  std::vector<std::string> args = {"token", "create", "--config", "driftd.yaml", "--role", role};
  if (!device.empty()) {
    args.push_back("--device");
    args.push_back(device);
  }
  auto r = run_driftd(args, dir);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::string out = r.out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  auto nl = out.rfind('\n');
  return nl == std::string::npos ? out : out.substr(nl + 1);
}

std::uint64_t resident_bytes(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stoull(line.substr(6)) * 1024;  // the kernel reports kB
    }
  }
  return 0;
}

}  // namespace driftd::test
