// A soak of the whole loop against the real binary: hours of a fleet's readings compressed
// into minutes (driftd-sim with --time-scale) while a live fleet drifts and recovers, drift
// episode after drift episode, and the Edge Impulse and GitHub stand-ins fail at random
// (500s, 429s, GitHub rate limits, dropped connections, slow answers). At the end every
// episode has exactly one retrain run, one retrain job and one dispatch, every run
// succeeded, and the daemon's resident memory did not grow over the last third of the run.
//
// The suite runs two episodes (about two minutes). DRIFTD_SOAK_EPISODES=N runs N, with
// N × 3 hours of compressed history.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "driftd/standins/standins.hpp"
#include "support/daemon_process.hpp"
#include "support/http_helpers.hpp"

using namespace driftd::test;
using driftd::standins::Fault;
using driftd::standins::FaultKind;
using driftd::standins::Route;
using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const std::string k_model = "1";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// driftd-sim as a child process (output into `log`), stopped with SIGTERM.
class Sim {
 public:
  Sim(const std::vector<std::string>& args, const fs::path& log) {
    const std::string bin = (fs::path(DRIFTD_BINARY).parent_path() / "driftd-sim").string();
    m_pid = ::fork();
    if (m_pid != 0) return;
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0) ::_exit(127);
    ::dup2(out, 1);
    ::dup2(out, 2);
    std::vector<std::string> copy = args;
    std::string program = bin;
    std::vector<char*> argv{program.data()};
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  ~Sim() { stop(); }
  Sim(const Sim&) = delete;
  Sim& operator=(const Sim&) = delete;

  bool running() {
    if (m_pid <= 0) return false;
    int status = 0;
    if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_exit = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      m_pid = -1;
    }
    return m_pid > 0;
  }
  // SIGTERM, then waits (SIGKILL after 20 s); returns the exit code.
  int stop() {
    if (!running()) return m_exit;
    ::kill(m_pid, SIGTERM);
    for (int i = 0; i < 2000 && running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (running()) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, nullptr, 0);
      m_pid = -1;
      m_exit = -SIGKILL;
    }
    return m_exit;
  }

 private:
  int m_pid = -1;
  int m_exit = -1;
};

// Fails the outside services at random: each route gets a fault of a random kind, and
// once that fault has been served, another after one or two more calls of the route.
// So every fault offered is served, none pile up behind a route nobody calls, and a
// failure is never repeated back to back (a client's backoff stays short). Only transient
// kinds: a run must get through them by retrying.
class FaultInjector {
 public:
  explicit FaultInjector(driftd::standins::Standins& world) : m_world(world) {
    m_thread = std::thread([this] { run(); });
  }
  ~FaultInjector() {
    m_stop = true;
    m_thread.join();
    m_world.clear_faults();
  }
  int injected() const { return m_injected.load(); }

 private:
  static Fault random_fault(Route route, std::mt19937& random) {
    Fault fault;
    switch (random() % 4) {
      case 0:
        fault.kind = FaultKind::server_error;
        break;
      case 1:
        fault.kind = route == Route::github_dispatch ? FaultKind::github_rate_limit
                                                     : FaultKind::too_many_requests;
        fault.retry_after = std::chrono::seconds(1);
        break;
      case 2:
        fault.kind = FaultKind::drop_connection;
        break;
      default:
        fault.kind = FaultKind::slow;  // slower than usual, well within the client timeouts
        fault.delay = std::chrono::milliseconds(200 + random() % 1300);
        break;
    }
    return fault;
  }

  void run() {
    std::mt19937 random(4242);
    const std::vector<Route> routes = {Route::ingestion_files,        Route::studio_retrain,
                                       Route::studio_job_status,      Route::studio_classify,
                                       Route::studio_classify_result, Route::studio_jobs_list,
                                       Route::github_dispatch};
    // The number of calls of each route at which its next fault is injected.
    std::map<Route, std::size_t> next_fault_at;
    for (const Route route : routes) next_fault_at[route] = random() % 3;
    while (!m_stop) {
      for (const Route route : routes) {
        const std::size_t calls = m_world.requests(route).size();
        if (calls < next_fault_at[route]) continue;
        m_world.inject_fault(route, random_fault(route, random));
        next_fault_at[route] = calls + 2 + random() % 2;  // the faulted call, then 1 or 2
        ++m_injected;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200 + random() % 300));
    }
  }

  driftd::standins::Standins& m_world;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_injected{0};
  std::thread m_thread;
};

// Samples the daemon's VmRSS twice a second.
class MemorySampler {
 public:
  explicit MemorySampler(int pid) : m_pid(pid) {
    m_thread = std::thread([this] {
      while (!m_stop) {
        const std::uint64_t rss = resident_bytes(m_pid);
        if (rss > 0) {
          std::lock_guard lock(m_mutex);
          m_samples.push_back(rss);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    });
  }
  ~MemorySampler() { finish(); }
  std::vector<std::uint64_t> finish() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
    std::lock_guard lock(m_mutex);
    return m_samples;
  }

 private:
  int m_pid;
  std::atomic<bool> m_stop{false};
  std::mutex m_mutex;
  std::vector<std::uint64_t> m_samples;
  std::thread m_thread;
};

struct EpisodeState {
  bool in_episode = false;
  int episodes = 0;
};

struct Soak {
  driftd::standins::Standins world;
  TempDir dir;
  std::unique_ptr<DaemonProcess> daemon;
  std::string admin;
  fs::path token_file = dir.path() / "admin.token";
  fs::path sim_log = dir.path() / "sim.log";

  Soak() {
    world.start();
    std::ofstream(dir.path() / "driftd.yaml") << config();
    daemon = std::make_unique<DaemonProcess>(
        dir.path(), config(),
        std::map<std::string, std::string>{{"EI_API_KEY", world.options().ei_api_key},
                                           {"GITHUB_TOKEN", world.options().github_token}});
    admin = create_token(dir.path(), "admin");
    std::ofstream(token_file) << admin << "\n";
    import_reference();
    daemon->start();
  }

  std::string config() const {
    const std::string url = world.base_url();
    return basic_config({{"server.threads", "8"},
                         {"server.rate_limit_per_device", "0"},
                         {"logging.level", "info"},
                         {"drift.window", "15s"},
                         {"drift.evaluate_every", "1s"},
                         {"drift.min_windows", "60"},
                         {"drift.consecutive", "3"},
                         {"drift.psi_warn", "0.3"},
                         {"drift.psi_alarm", "0.5"},
                         {"retrain.dry_run", "false"},
                         {"retrain.cooldown", "2s"},
                         {"retrain.poll_interval", "200ms"},
                         {"retrain.job_timeout", "3m"},
                         {"retrain.max_upload_clips", "40"},
                         {"edge_impulse.project_id", std::to_string(world.options().project_id)},
                         {"edge_impulse.studio_url", url},
                         {"edge_impulse.ingestion_url", url},
                         {"github.api_url", url},
                         {"github.repository", world.options().repositories.front()}});
  }

  // The reference: clean clips from the simulator's own generator.
  void import_reference() {
    const fs::path reference = dir.path() / "reference";
    Sim writer({"--write-baseline", reference.string(), "--clips-per-class", "200", "--seed", "7"},
               sim_log);
    for (int i = 0; i < 6000 && writer.running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(writer.stop() == 0);
    const auto imported = run_driftd({"baseline", "import", "--config", "driftd.yaml",
                                      "--model-version", k_model, reference.string()},
                                     dir.path());
    REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
  }

  std::vector<std::string> sim_args(const std::string& prefix) const {
    return {"--url",           "http://127.0.0.1:" + std::to_string(daemon->port()),
            "--token-file",    token_file.string(),
            "--model-version", k_model,
            "--device-prefix", prefix,
            "--summary-every", "10s"};
  }

  // The live fleet in real time: 10 devices, 2 readings a second each, half with a clip.
  std::unique_ptr<Sim> live_fleet(bool drifting, int seed) const {
    auto args = sim_args("live-");
    for (const char* a :
         {"--devices", "10", "--rate", "2/s", "--clip-fraction", "0.5", "--workers", "3"}) {
      args.push_back(a);
    }
    args.insert(args.end(), {"--seed", std::to_string(seed)});
    if (drifting) {
      args.insert(args.end(), {"--scenario", "noise", "--snr-db", "0", "--drift-after", "0s",
                               "--drift-devices", "1"});
    }
    return std::make_unique<Sim>(args, sim_log);
  }

  // `hours` of a 40-device fleet (a reading a minute each, 2% with a clip) in `seconds`.
  std::unique_ptr<Sim> compressed_history(int hours, int seconds) const {
    auto args = sim_args("history-");
    const int scale = std::max(1, hours * 3600 / seconds);
    for (const std::string& a :
         {std::string("--devices"), std::string("40"), std::string("--rate"), std::string("1/m"),
          std::string("--clip-fraction"), std::string("0.02"), std::string("--duration"),
          std::to_string(hours) + "h", std::string("--time-scale"), std::to_string(scale),
          std::string("--seed"), std::string("99")}) {
      args.push_back(a);
    }
    return std::make_unique<Sim>(args, sim_log);
  }

  EpisodeState episode_state() const {
    SQLite::Database db((dir.path() / "var" / "driftd.db").string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT state FROM drift_episodes WHERE model_version = ?");
    q.bind(1, k_model);
    if (!q.executeStep()) return {};
    const json state = json::parse(q.getColumn(0).getString(), nullptr, false);
    if (!state.is_object()) return {};
    return {state.value("in_episode", false), state.value("episodes", 0)};
  }

  // Distinct drift episodes that led to a retrain run.
  int episodes_with_runs() const {
    SQLite::Database db((dir.path() / "var" / "driftd.db").string(), SQLite::OPEN_READONLY);
    return db.execAndGet("SELECT count(DISTINCT episode_id) FROM retrain_runs").getInt();
  }

  std::string drift_status() const {
    auto r = daemon->client(admin).Get("/api/v1/drift?model_version=" + k_model);
    if (!r || r->status != 200) return "";
    return json_of(r).value("status", "");
  }

  // Polls `done` every 250 ms for at most `limit`; false when it never held.
  static bool wait_until(const std::function<bool()>& done, std::chrono::seconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return done();
  }

  json runs() const {
    auto r = daemon->client(admin).Get("/api/v1/retrains");
    REQUIRE(r);
    REQUIRE(r->status == 200);
    return json_of(r)["retrains"];
  }

  // Every run with its steps, for failure messages.
  std::string run_details() const {
    std::string out;
    for (const auto& run : runs()) {
      auto r = daemon->client(admin).Get("/api/v1/retrains/" + run["id"].get<std::string>());
      out += r ? r->body + "\n" : "(unreadable)\n";
    }
    return out;
  }

  std::size_t jobs_of(const std::string& kind) const {
    std::size_t n = 0;
    for (const auto& j : world.jobs()) n += j.kind == kind ? 1 : 0;
    return n;
  }
};

bool is_over(const json& run) {
  return run["state"] == "succeeded" || run["state"] == "failed" || run["state"] == "rejected";
}

int soak_episodes() {
  const char* text = std::getenv("DRIFTD_SOAK_EPISODES");
  const int n = text != nullptr ? std::atoi(text) : 0;
  return n > 0 ? n : 2;
}

// Mean of samples [from, to).
double mean_of(const std::vector<std::uint64_t>& v, std::size_t from, std::size_t to) {
  double sum = 0;
  for (std::size_t i = from; i < to; ++i) sum += static_cast<double>(v[i]);
  return to > from ? sum / static_cast<double>(to - from) : 0;
}

constexpr double k_mib = 1024.0 * 1024.0;

}  // namespace

TEST_CASE("soak: drift episodes under random outside failures end in one run each, memory flat") {
  const int episodes = soak_episodes();
  Soak soak;
  const auto started = Clock::now();
  MemorySampler memory(soak.daemon->pid());
  FaultInjector faults(soak.world);
  auto history = soak.compressed_history(3 * episodes, 45 * episodes + 20);

  // Clean traffic until the live fleet is judged ok against the reference.
  auto live = soak.live_fleet(false, 1);
  REQUIRE_MESSAGE(
      Soak::wait_until([&] { return soak.drift_status() == "ok"; }, std::chrono::seconds(60)),
      "the clean fleet never scored ok: " << soak.drift_status());

  for (int episode = 1; episode <= episodes; ++episode) {
    CAPTURE(episode);
    live->stop();
    live = soak.live_fleet(true, 10 * episode);
    REQUIRE_MESSAGE(Soak::wait_until([&] { return soak.episode_state().episodes == episode; },
                                     std::chrono::seconds(60)),
                    "episode " << episode << " never started; status " << soak.drift_status());
    // The fleet drifts until the episode has its run: an alarm while an earlier run is
    // still going (its outside calls failing and retried) or inside the cooldown is
    // blocked, and the next alarm of the same episode asks again.
    REQUIRE_MESSAGE(Soak::wait_until([&] { return soak.episodes_with_runs() >= episode; },
                                     std::chrono::seconds(120)),
                    "episode " << episode << " never got a retrain run; status "
                               << soak.drift_status() << "; runs " << soak.run_details() << "\n"
                               << soak.daemon->log());
    // Alarms go on a while inside the episode: each asks for a retrain again.
    std::this_thread::sleep_for(std::chrono::seconds(4));
    live->stop();
    live = soak.live_fleet(false, 10 * episode + 1);
    REQUIRE_MESSAGE(Soak::wait_until([&] { return !soak.episode_state().in_episode; },
                                     std::chrono::seconds(60)),
                    "episode " << episode << " never ended; status " << soak.drift_status());
  }

  // Every run ends (transient failures are retried until they pass), the fleet still sending.
  json runs;
  CHECK(Soak::wait_until(
      [&] {
        runs = soak.runs();
        return std::all_of(runs.begin(), runs.end(), is_over);
      },
      std::chrono::seconds(90)));
  live->stop();
  history->stop();
  const auto samples = memory.finish();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();

  // One run per episode, each succeeded, and one job and dispatch each outside.
  CHECK(soak.episode_state().episodes == episodes);
  CHECK(runs.size() == static_cast<std::size_t>(episodes));
  std::set<std::string> episode_ids;
  for (const auto& run : runs) {
    CHECK_MESSAGE(run["state"] == "succeeded", run.dump());
    CHECK(run["trigger"] == "drift");
    CHECK(run["model_version"] == k_model);
    auto detail =
        soak.daemon->client(soak.admin).Get("/api/v1/retrains/" + run["id"].get<std::string>());
    REQUIRE(detail);
    CHECK(detail->status == 200);
  }
  {
    SQLite::Database db((soak.dir.path() / "var" / "driftd.db").string(), SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT episode_id FROM retrain_runs");
    while (q.executeStep()) episode_ids.insert(q.getColumn(0).getString());
  }
  CHECK(episode_ids.size() == static_cast<std::size_t>(episodes));
  CHECK(soak.jobs_of("retrain") == static_cast<std::size_t>(episodes));
  CHECK(soak.world.dispatches().size() == static_cast<std::size_t>(episodes));

  // The compressed history really was hours of a fleet: at least half of its readings.
  std::int64_t history_results = 0;
  std::int64_t live_results = 0;
  {
    SQLite::Database db((soak.dir.path() / "var" / "driftd.db").string(), SQLite::OPEN_READONLY);
    history_results =
        db.execAndGet("SELECT count(*) FROM results WHERE device_id LIKE 'history-%'").getInt64();
    live_results =
        db.execAndGet("SELECT count(*) FROM results WHERE device_id LIKE 'live-%'").getInt64();
  }
  const std::int64_t planned_history = 40LL * 60 * 3 * episodes;  // 40 devices, 1/min, 3h each
  MESSAGE("results stored: " << history_results << " of the compressed history (planned "
                             << planned_history << "), " << live_results << " live");
  CHECK(history_results >= planned_history / 2);

  // The outside services really failed along the way.
  std::size_t failed_calls = 0;
  for (const auto& r : soak.world.requests()) failed_calls += r.status == 0 || r.status >= 400;
  CHECK(failed_calls >= 3);

  // Memory: the last third of the samples does not grow.
  REQUIRE(samples.size() >= 30);
  const std::size_t third = samples.size() / 3;
  const std::size_t last = samples.size() - third;
  const std::size_t half = third / 2;
  const double last_third_start = mean_of(samples, last, last + half);
  const double last_third_end = mean_of(samples, samples.size() - half, samples.size());
  const double peak = static_cast<double>(*std::max_element(samples.begin(), samples.end()));
  const double growth = last_third_end - last_third_start;
  MESSAGE("soak: " << episodes << " episodes in " << seconds << " s; " << failed_calls
                   << " outside calls failed (" << faults.injected() << " faults offered); RSS "
                   << samples.front() / k_mib << " MiB at start, " << last_third_start / k_mib
                   << " → " << last_third_end / k_mib << " MiB over the last third, peak "
                   << peak / k_mib << " MiB (" << samples.size() << " samples)");
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer keeps freed memory in quarantine: resident size says nothing there.
  MESSAGE("memory growth (" << growth / k_mib << " MiB) not judged under AddressSanitizer");
#else
  CHECK_MESSAGE(growth <= std::max(0.03 * last_third_start, 2 * k_mib),
                "resident memory grew by " << growth / k_mib << " MiB over the last third");
#endif

  const std::string log = slurp(soak.sim_log);
  CHECK_MESSAGE(log.find("refused the token") == std::string::npos, log);
  CHECK(soak.daemon->stop() == 0);
}
