// The real driftd binary killed with SIGKILL while several clients keep posting results
// and clips, several times over: after each restart every acknowledged result (202) and
// clip (201) is in the database, the database passes PRAGMA integrity_check, the devices'
// counters agree with the rows, and the clip folder holds exactly the files the rows name,
// each complete (its SHA-256 is its name) and no temp file.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "driftd/util/secrets.hpp"
#include "support/daemon_process.hpp"
#include "support/http_helpers.hpp"
#include "support/outside_world.hpp"

using namespace driftd::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr int k_devices = 4;
constexpr int k_result_workers = 3;

std::string device_name(int n) {
  return "crash-" + std::to_string(n % k_devices);
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What the clients were told was stored.
struct Acknowledged {
  std::mutex mutex;
  std::set<std::pair<std::string, std::string>> results;  // (device_id, result_id)
  std::map<std::string, std::string> clips;               // clip_id → device_id
  int failed_requests = 0;                                // no answer, or not a success

  void add_results(const std::vector<std::pair<std::string, std::string>>& ids) {
    std::lock_guard lock(mutex);
    results.insert(ids.begin(), ids.end());
  }
  void add_clip(const std::string& clip_id, const std::string& device) {
    std::lock_guard lock(mutex);
    clips[clip_id] = device;
  }
  void add_failure() {
    std::lock_guard lock(mutex);
    ++failed_requests;
  }
  std::pair<std::size_t, std::size_t> counts() {
    std::lock_guard lock(mutex);
    return {results.size(), clips.size()};
  }
};

// Posts result batches of 1 to 25 results until `stop`, recording each acknowledged id.
// Even workers keep their connection open, so the store's writer sends their answers right
// after its commit; odd ones close it after each request, so the request's own thread
// answers: both ways of acknowledging are held to "acknowledged means stored".
void post_results(const DaemonProcess& daemon, const std::string& token, int worker, int round,
                  const std::atomic<bool>& stop, Acknowledged& acked) {
  auto client = daemon.client(token);
  client.set_read_timeout(std::chrono::seconds(10));
  client.set_keep_alive(worker % 2 == 0);
  for (int seq = 0; !stop.load(); ++seq) {
    const int size = 1 + (seq * 7 + worker) % 25;
    json batch = {{"results", json::array()}};
    std::vector<std::pair<std::string, std::string>> ids;
    for (int i = 0; i < size; ++i) {
      const std::string device = device_name(seq + i);
      const std::string id = "w" + std::to_string(worker) + "-r" + std::to_string(round) + "-" +
                             std::to_string(seq) + "-" + std::to_string(i);
      batch["results"].push_back({{"device_id", device},
                                  {"model_version", "12"},
                                  {"label", i % 2 == 0 ? "crying" : "sleeping"},
                                  {"confidence", 0.9},
                                  {"result_id", id}});
      ids.emplace_back(device, id);
    }
    const auto r = client.Post("/api/v1/results", batch.dump(), "application/json");
    if (r && r->status == 202) {
      acked.add_results(ids);
    } else {
      acked.add_failure();
      if (!r) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

// Uploads small WAV clips (each different) until `stop`, recording each acknowledged clip.
void post_clips(const DaemonProcess& daemon, const std::string& token, int round,
                const std::atomic<bool>& stop, Acknowledged& acked) {
  auto client = daemon.client(token);
  client.set_read_timeout(std::chrono::seconds(10));
  for (int seq = 0; !stop.load(); ++seq) {
    const std::string device = device_name(seq);
    const unsigned seed = static_cast<unsigned>(round * 100'000 + seq);
    const std::string path = "/api/v1/clips?device_id=" + device +
                             "&model_version=12&label=crying&result_id=c" + std::to_string(round) +
                             "-" + std::to_string(seq);
    const auto r = client.Post(path, wav_clip(seed, 1600 + 400 * (seq % 8)), "audio/wav");
    if (r && r->status == 201) {
      acked.add_clip(json_of(r)["clip_id"].get<std::string>(), device);
    } else {
      acked.add_failure();
      if (!r) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
}

struct ClipRow {
  std::string path;
  std::int64_t bytes = 0;
  std::string sha256;
  bool evicted = false;
};

// Every check of one round, on the restarted daemon's database (opened read-only beside it).
void check_database(const fs::path& database, Acknowledged& acked) {
  SQLite::Database db(database.string(), SQLite::OPEN_READONLY);
  CHECK(db.execAndGet("PRAGMA integrity_check").getString() == "ok");

  std::set<std::pair<std::string, std::string>> stored;
  SQLite::Statement results(db, "SELECT device_id, result_id FROM results");
  while (results.executeStep()) {
    stored.emplace(results.getColumn(0).getString(), results.getColumn(1).getString());
  }
  std::size_t missing = 0;
  for (const auto& id : acked.results) missing += stored.count(id) == 0 ? 1 : 0;
  CHECK_MESSAGE(missing == 0,
                missing << " of " << acked.results.size() << " acknowledged results are missing");

  std::map<std::string, std::string> clip_devices;
  SQLite::Statement clips(db, "SELECT clip_id, device_id FROM clips");
  while (clips.executeStep()) {
    clip_devices[clips.getColumn(0).getString()] = clips.getColumn(1).getString();
  }
  std::size_t clips_missing = 0;
  for (const auto& [clip_id, device] : acked.clips) {
    const auto it = clip_devices.find(clip_id);
    clips_missing += it == clip_devices.end() || it->second != device ? 1 : 0;
  }
  CHECK_MESSAGE(clips_missing == 0,
                clips_missing << " of " << acked.clips.size() << " acknowledged clips are missing");

  // The counters moved in the same transactions as the rows they count.
  SQLite::Statement counters(db,
                             "SELECT d.device_id, d.results_count, d.clips_count, "
                             "(SELECT count(*) FROM results r WHERE r.device_id = d.device_id), "
                             "(SELECT count(*) FROM clips c WHERE c.device_id = d.device_id) "
                             "FROM devices d");
  while (counters.executeStep()) {
    const std::string device = counters.getColumn(0).getString();
    CHECK_MESSAGE(counters.getColumn(1).getInt64() == counters.getColumn(3).getInt64(), device);
    CHECK_MESSAGE(counters.getColumn(2).getInt64() == counters.getColumn(4).getInt64(), device);
  }
}

// The clip folder against the clips table: no temp file, no file without an unevicted row,
// no unevicted row without its complete file.
void check_clip_folder(const fs::path& database, const fs::path& clips_dir) {
  SQLite::Database db(database.string(), SQLite::OPEN_READONLY);
  std::map<std::string, ClipRow> rows;  // by path; rows sharing a file agree on it
  SQLite::Statement query(db, "SELECT path, bytes, sha256, evicted_at IS NOT NULL FROM clips");
  while (query.executeStep()) {
    ClipRow row{query.getColumn(0).getString(), query.getColumn(1).getInt64(),
                query.getColumn(2).getString(), query.getColumn(3).getInt() != 0};
    auto [it, inserted] = rows.emplace(row.path, row);
    if (!inserted) it->second.evicted = it->second.evicted && row.evicted;
  }
  std::set<std::string> on_disk;
  if (fs::exists(clips_dir)) {
    for (const auto& e : fs::recursive_directory_iterator(clips_dir)) {
      if (!e.is_regular_file()) continue;
      const std::string relative = fs::relative(e.path(), clips_dir).string();
      CHECK_MESSAGE(e.path().filename().string().rfind(".tmp-", 0) != 0,
                    "temp file left: " << relative);
      on_disk.insert(relative);
      const auto row = rows.find(relative);
      CHECK_MESSAGE((row != rows.end() && !row->second.evicted),
                    "file no unevicted row refers to: " << relative);
    }
  }
  for (const auto& [path, row] : rows) {
    if (row.evicted) continue;
    REQUIRE_MESSAGE(on_disk.count(path) == 1, "the file of a stored clip is missing: " << path);
    const std::string bytes = slurp(clips_dir / path);
    CHECK(static_cast<std::int64_t>(bytes.size()) == row.bytes);
    CHECK(driftd::util::sha256_hex(bytes) == row.sha256);
  }
}

// Before the restart's sweep: every file under its final name is complete.
std::size_t check_final_names_complete(const fs::path& clips_dir, std::size_t& temp_files) {
  std::size_t files = 0;
  if (!fs::exists(clips_dir)) return files;
  for (const auto& e : fs::recursive_directory_iterator(clips_dir)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name.rfind(".tmp-", 0) == 0) {
      ++temp_files;
      continue;
    }
    ++files;
    CHECK_MESSAGE(driftd::util::sha256_hex(slurp(e.path())) == e.path().stem().string(),
                  "a clip file under its final name is incomplete: " << name);
  }
  return files;
}

}  // namespace

TEST_CASE("SIGKILL under sustained result and clip load loses nothing acknowledged") {
  TempDir dir;
  const std::string config = basic_config(
      {{"server.threads", "8"}, {"server.rate_limit_per_device", "0"}, {"logging.level", "info"}});
  DaemonProcess daemon(dir.path(), config);
  const std::string admin = create_token(dir.path(), "admin");
  const fs::path database = dir.path() / "var" / "driftd.db";
  const fs::path clips_dir = dir.path() / "var" / "clips";

  Acknowledged acked;
  std::mt19937 random(20251126);
  constexpr int k_rounds = 4;
  for (int round = 0; round < k_rounds; ++round) {
    CAPTURE(round);
    daemon.start();
    // Everything acknowledged in earlier rounds survived their crash.
    check_database(database, acked);
    check_clip_folder(database, clips_dir);

    const std::size_t results_before = acked.results.size();
    const std::size_t clips_before = acked.clips.size();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int w = 0; w < k_result_workers; ++w) {
      clients.emplace_back([&, w] { post_results(daemon, admin, w, round, stop, acked); });
    }
    clients.emplace_back([&] { post_clips(daemon, admin, round, stop, acked); });

    // Let the load run until it is real (at least 50 results and 3 clips acknowledged this
    // round, however slow the build: sanitizers slow the clips most), then a while longer,
    // and kill the daemon at a moment nobody chose.
    const auto load_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      const auto [results_now, clips_now] = acked.counts();
      if ((results_now >= results_before + 50 && clips_now >= clips_before + 3) ||
          std::chrono::steady_clock::now() >= load_deadline) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(100, 1000)(random)));
    daemon.kill_hard();
    stop = true;
    for (auto& t : clients) t.join();

    const std::size_t new_results = acked.results.size() - results_before;
    const std::size_t new_clips = acked.clips.size() - clips_before;
    MESSAGE("round " << round << ": " << new_results << " results and " << new_clips
                     << " clips acknowledged before the kill");
    CHECK(new_results >= 50);  // the load was real
    CHECK(new_clips >= 3);

    std::size_t temp_files = 0;
    const std::size_t files = check_final_names_complete(clips_dir, temp_files);
    MESSAGE("after the kill: " << files << " clip files, " << temp_files << " temp files");
  }

  daemon.start();
  check_database(database, acked);
  check_clip_folder(database, clips_dir);
  // The restarted daemon still takes writes, and a retried upload is not stored twice.
  auto client = daemon.client(admin);
  const auto& [device, result_id] = *acked.results.begin();
  const auto retry = client.Post("/api/v1/results",
                                 json{{"device_id", device},
                                      {"model_version", "12"},
                                      {"label", "crying"},
                                      {"confidence", 0.5},
                                      {"result_id", result_id}}
                                     .dump(),
                                 "application/json");
  REQUIRE(retry);
  CHECK(retry->status == 202);
  CHECK(json_of(retry) == json{{"accepted", 0}, {"duplicates", 1}});
  MESSAGE("in total " << acked.results.size() << " results and " << acked.clips.size()
                      << " clips acknowledged over " << k_rounds << " kills; "
                      << acked.failed_requests << " requests got no success answer");
  CHECK(daemon.stop() == 0);
}
