// driftd-sim against the real daemon on loopback: results and clips of every simulated
// device arrive, a compressed run keeps its timestamps out of the future, SIGTERM stops it
// cleanly, and a refused token ends the run with exit code 1.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "driftd/util/time.hpp"
#include "support/daemon_process.hpp"
#include "support/http_helpers.hpp"

namespace dt = driftd::test;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// driftd-sim is built next to driftd (both in the build's runtime output folder).
std::string sim_binary() {
  return (std::filesystem::path(DRIFTD_BINARY).parent_path() / "driftd-sim").string();
}

// driftd-sim with `args`, stdout and stderr into `log`.
int spawn_sim(const std::vector<std::string>& args, const std::filesystem::path& log) {
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out < 0) ::_exit(127);
  ::dup2(out, 1);
  ::dup2(out, 2);
  std::vector<std::string> copy = args;
  std::string bin = sim_binary();
  std::vector<char*> argv{bin.data()};
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execv(bin.c_str(), argv.data());
  ::_exit(127);
}

// The exit code of `pid`, waiting at most 30 s (then it is killed: -1).
int wait_sim(int pid) {
  for (int i = 0; i < 3000; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return -1;
}

nlohmann::json devices(const dt::DaemonProcess& daemon, const std::string& token) {
  auto client = daemon.client(token);
  const auto r = client.Get("/api/v1/devices");
  REQUIRE(r);
  REQUIRE(r->status == 200);
  return dt::json_of(r)["devices"];
}

struct Fixture {
  dt::TempDir dir;
  dt::DaemonProcess daemon{dir.path(), dt::basic_config()};
  std::string token;
  std::filesystem::path token_file = dir.path() / "admin.token";
  std::filesystem::path log = dir.path() / "sim.log";

  Fixture() {
    daemon.start();
    token = dt::create_token(dir.path(), "admin");
    std::ofstream(token_file) << token << "\n";
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(daemon.port()); }
};

}  // namespace

TEST_CASE("driftd-sim delivers every device's results and clips and stops cleanly on SIGTERM") {
  Fixture f;
  const int pid = spawn_sim(
      {"--url", f.url(), "--token-file", f.token_file.string(), "--devices", "5", "--rate", "10/s",
       "--clip-fraction", "0.3", "--scenario", "noise", "--summary-every", "1s"},
      f.log);
  // Wait (bounded) until every device has results and some clips have arrived.
  nlohmann::json list;
  for (int i = 0; i < 100; ++i) {
    list = devices(f.daemon, f.token);
    int with_results = 0;
    int clips = 0;
    for (const auto& d : list) {
      with_results += d["results"].get<int>() > 0;
      clips += d["clips"].get<int>();
    }
    if (with_results == 5 && clips > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(pid, SIGTERM);
  CHECK(wait_sim(pid) == 0);
  const std::string log = slurp(f.log);
  CHECK_MESSAGE(log.find("stopped (signal)") != std::string::npos, log);
  CHECK_MESSAGE(log.find("drift switched on: background noise") != std::string::npos, log);

  list = devices(f.daemon, f.token);
  REQUIRE(list.size() == 5);
  int clips = 0;
  for (const auto& d : list) {
    CHECK(d["device_id"].get<std::string>().starts_with("nursery-0"));
    CHECK(d["model_version"] == "1");
    CHECK(d["results"].get<int>() > 0);
    clips += d["clips"].get<int>();
  }
  CHECK(clips > 0);
}

TEST_CASE("a compressed driftd-sim run sends an hour of readings with no timestamp in the future") {
  Fixture f;
  const int pid = spawn_sim(
      {"--url", f.url(), "--token-file", f.token_file.string(), "--devices", "3", "--rate", "1/m",
       "--clip-fraction", "0", "--duration", "1h", "--time-scale", "1800", "--model-version", "7"},
      f.log);
  CHECK(wait_sim(pid) == 0);
  const auto now = driftd::util::now_ms();
  const auto list = devices(f.daemon, f.token);
  REQUIRE(list.size() == 3);
  for (const auto& d : list) {
    CHECK(d["model_version"] == "7");
    CHECK(d["results"].get<int>() >= 55);  // one a minute for an hour
    CHECK(d["results"].get<int>() <= 60);
    const auto last_seen = driftd::util::parse_rfc3339(d["last_seen"].get<std::string>());
    REQUIRE(last_seen);
    CHECK(*last_seen <= now);
  }
  CHECK_MESSAGE(slurp(f.log).find("stopped (duration reached)") != std::string::npos, slurp(f.log));
}

TEST_CASE("driftd-sim ends with exit code 1 when driftd refuses its token") {
  Fixture f;
  const int pid = spawn_sim({"--url", f.url(), "--token", "not-a-token", "--devices", "2", "--rate",
                             "5/s", "--duration", "20s"},
                            f.log);
  CHECK(wait_sim(pid) == 1);
  CHECK_MESSAGE(slurp(f.log).find("refused the token") != std::string::npos, slurp(f.log));
  CHECK(devices(f.daemon, f.token).empty());
}
