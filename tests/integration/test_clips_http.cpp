// The real driftd binary ingesting clips on a loopback port: analysis, content-addressed
// files, refusals that leave nothing behind, the clip quota, device-computed features in
// results, and `driftd features`.
#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "driftd/util/secrets.hpp"
#include "support/audio_fixtures.hpp"
#include "support/daemon_process.hpp"
#include "support/http_helpers.hpp"

using namespace driftd::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A 16-bit PCM WAV of `seconds` of a tone at `hz`, `channels` channels (same signal in each).
std::string wav(double seconds, double hz = 440, int rate = 16000, int channels = 1) {
  const auto frames = static_cast<std::size_t>(seconds * rate);
  const std::vector<double> signal = tone(hz, 8000, rate, frames);
  std::vector<std::int16_t> samples;
  samples.reserve(frames * static_cast<std::size_t>(channels));
  for (double s : signal) {
    for (int c = 0; c < channels; ++c) samples.push_back(static_cast<std::int16_t>(s));
  }
  const auto bytes = make_wav(samples, rate, channels);
  return std::string(bytes.begin(), bytes.end());
}

using Overrides = std::map<std::string, std::string>;

struct Fixture {
  TempDir dir;
  DaemonProcess daemon;
  std::string device;
  std::string other_device;
  std::string viewer;

  explicit Fixture(const Overrides& overrides = {}) : daemon(dir.path(), basic_config(overrides)) {
    std::ofstream(dir.path() / "driftd.yaml") << basic_config(overrides);
    device = create_token(dir.path(), "device", "nursery-04");
    other_device = create_token(dir.path(), "device", "kitchen-01");
    viewer = create_token(dir.path(), "viewer");
    daemon.start();
  }

  httplib::Result upload(const std::string& body, const std::string& query = "",
                         const std::string& content_type = "audio/wav",
                         const std::string& token = {}) {
    return daemon.client(token.empty() ? device : token)
        .Post("/api/v1/clips?device_id=nursery-04&model_version=12" + query, body, content_type);
  }

  // The clip id of a successful upload.
  std::string upload_ok(const std::string& body, const std::string& query = "") {
    auto r = upload(body, query);
    REQUIRE(r);
    REQUIRE_MESSAGE(r->status == 201, r->body);
    return json_of(r)["clip_id"].get<std::string>();
  }

  fs::path clips_dir() const { return dir.path() / "var" / "clips"; }

  std::vector<fs::path> clip_files() const {
    std::vector<fs::path> files;
    if (!fs::exists(clips_dir())) return files;
    for (const auto& e : fs::recursive_directory_iterator(clips_dir())) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    return files;
  }

  fs::path file_for(const std::string& bytes) const {
    const std::string sha = driftd::util::sha256_hex(bytes);
    return clips_dir() / sha.substr(0, 2) / (sha + ".wav");
  }

  std::int64_t sql_count(const std::string& sql) const {
    SQLite::Database db((dir.path() / "var" / "driftd.db").string(), SQLite::OPEN_READONLY);
    return db.execAndGet(sql).getInt64();
  }

  json devices() {
    auto r = daemon.client(viewer).Get("/api/v1/devices");
    REQUIRE(r);
    return json_of(r)["devices"];
  }

  // The value of an unlabelled series in /metrics.
  double metric(const std::string& name) {
    auto r = daemon.client().Get("/metrics");
    REQUIRE(r);
    const auto at = r->body.find("\n" + name + " ");
    REQUIRE_MESSAGE(at != std::string::npos, name);
    return std::stod(r->body.substr(at + name.size() + 2));
  }
};

}  // namespace

TEST_CASE("an uploaded clip is analysed, stored under its hash and counted for its device") {
  Fixture f;
  const std::string mono = wav(2.5);
  auto r = f.upload(mono, "&label=crying&confidence=0.93&timestamp=2025-11-26T12:00:00Z");
  REQUIRE(r);
  REQUIRE_MESSAGE(r->status == 201, r->body);
  const json body = json_of(r);
  CHECK(body["windows"] == 6);
  CHECK(body["clip_id"].get<std::string>().size() == 24);
  CHECK(read_bytes(f.file_for(mono)) == std::vector<std::uint8_t>(mono.begin(), mono.end()));

  const std::string stereo = wav(2.5, 1000, 44100, 2);
  auto r2 = f.upload(stereo);
  REQUIRE(r2);
  CHECK(r2->status == 201);
  CHECK(json_of(r2)["windows"] == 6);
  CHECK(fs::file_size(f.file_for(stereo)) == stereo.size());

  const json devices = f.devices();
  REQUIRE(devices.size() == 1);
  CHECK(devices[0]["clips"] == 2);
  CHECK(devices[0]["results"] == 0);
  CHECK(f.sql_count("SELECT COUNT(*) FROM window_features WHERE source = 'clip'") == 12);
  CHECK(f.sql_count("SELECT COUNT(*) FROM clips WHERE label = 'crying' AND confidence = 0.93 "
                    "AND timestamp_ms = 1764158400000 AND sample_rate_hz = 16000") == 1);
  CHECK(f.sql_count("SELECT COUNT(*) FROM clips WHERE sample_rate_hz = 44100 AND channels = 2 "
                    "AND duration_ms = 2500") == 1);
  CHECK(f.metric("driftd_clips_ingested_total") == 2);
  CHECK(f.metric("driftd_windows_processed_total") == 12);
  CHECK(f.metric("driftd_clips_stored_bytes") == static_cast<double>(mono.size() + stereo.size()));
}

TEST_CASE("the same bytes uploaded twice are two clips sharing one file") {
  Fixture f;
  const std::string clip = wav(1.2);
  const std::string first = f.upload_ok(clip);
  const std::string second = f.upload_ok(clip);
  CHECK(first != second);
  CHECK(f.clip_files().size() == 1);
  CHECK(f.devices()[0]["clips"] == 2);

  // A retried upload of the same result is answered with the first clip, not stored again.
  const std::string third = f.upload_ok(clip, "&result_id=r1");
  auto retry = f.upload(clip, "&result_id=r1");
  REQUIRE(retry);
  CHECK(retry->status == 201);
  CHECK(json_of(retry)["clip_id"] == third);
  CHECK(json_of(retry)["duplicate"] == true);
  CHECK(f.devices()[0]["clips"] == 3);
}

TEST_CASE("bad clip uploads get the right 4xx in the error shape and store nothing") {
  Fixture f;
  struct Case {
    std::string name;
    int status;
    std::string code;
    httplib::Result result;
  };
  std::string truncated = wav(2.5);
  truncated.resize(truncated.size() / 2);  // the data chunk claims twice what is there
  std::vector<Case> cases;
  cases.push_back({"empty", 400, "empty_audio", f.upload("")});
  cases.push_back({"not audio", 415, "unsupported_audio_format", f.upload("hello, not a wav")});
  cases.push_back({"truncated", 400, "truncated_audio", f.upload(truncated)});
  cases.push_back({"header only", 400, "truncated_audio", f.upload(wav(2.5).substr(0, 30))});
  cases.push_back(
      {"wrong type", 415, "unsupported_media_type", f.upload(wav(1), "", "application/json")});
  cases.push_back({"too long", 413, "audio_too_long", f.upload(wav(61))});
  cases.push_back({"bad query", 400, "out_of_range", f.upload(wav(1), "&confidence=2")});
  cases.push_back({"unknown parameter", 400, "unknown_parameter", f.upload(wav(1), "&lable=x")});
  for (auto& c : cases) {
    INFO(c.name);
    REQUIRE(c.result);
    CHECK(c.result->status == c.status);
    CHECK(error_code(c.result) == c.code);
  }
  CHECK(json_of(cases[6].result)["error"]["field"] == "confidence");

  auto missing =
      f.daemon.client(f.device).Post("/api/v1/clips?model_version=12", wav(1), "audio/wav");
  CHECK(missing->status == 400);
  CHECK(json_of(missing)["error"]["field"] == "device_id");

  CHECK(f.clip_files().empty());
  CHECK(f.devices().empty());
  CHECK(f.sql_count("SELECT COUNT(*) FROM clips") == 0);
  CHECK(f.sql_count("SELECT COUNT(*) FROM window_features") == 0);
  CHECK(f.metric("driftd_clips_ingested_total") == 0);
}

TEST_CASE("clips for another device's id are 403 and viewers may not upload") {
  Fixture f;
  auto other = f.upload(wav(1), "", "audio/wav", f.other_device);
  REQUIRE(other);
  CHECK(other->status == 403);
  CHECK(error_code(other) == "forbidden_device");
  CHECK(f.upload(wav(1), "", "audio/wav", f.viewer)->status == 403);
  CHECK(f.clip_files().empty());
  CHECK(f.devices().empty());
}

TEST_CASE("a small clip quota evicts the oldest clips and keeps pinned ones") {
  // Three 2.5 s clips are 240 132 bytes; the quota holds two.
  Fixture f(Overrides{{"server.max_body_bytes", "100000"}, {"storage.clips_max_bytes", "200000"}});
  const std::string a = wav(2.5, 300), b = wav(2.5, 500), c = wav(2.5, 700), d = wav(2.5, 900);
  const std::string id_a = f.upload_ok(a);
  {
    SQLite::Database db((f.dir.path() / "var" / "driftd.db").string(), SQLite::OPEN_READWRITE);
    db.setBusyTimeout(5000);
    db.exec("UPDATE clips SET pinned_by = 'run-1' WHERE clip_id = '" + id_a + "'");
  }
  const std::string id_b = f.upload_ok(b);
  const std::string id_c = f.upload_ok(c);  // over the quota: b, the oldest unpinned, goes
  CHECK(fs::exists(f.file_for(a)));
  CHECK_FALSE(fs::exists(f.file_for(b)));
  CHECK(fs::exists(f.file_for(c)));
  CHECK(f.sql_count("SELECT COUNT(*) FROM clips WHERE evicted_at IS NOT NULL AND clip_id = '" +
                    id_b + "'") == 1);

  f.upload_ok(d);  // c goes next; a stays pinned
  CHECK(fs::exists(f.file_for(a)));
  CHECK_FALSE(fs::exists(f.file_for(c)));
  CHECK(f.clip_files().size() == 2);
  CHECK(f.sql_count("SELECT COUNT(*) FROM clips") == 4);  // rows are kept
  CHECK(f.metric("driftd_clips_stored_bytes") == static_cast<double>(a.size() + d.size()));
  CHECK(f.devices()[0]["clips"] == 4);
}

TEST_CASE("leftover temp files are removed when the daemon starts, with full durability") {
  Fixture f(Overrides{{"storage.synchronous", "full"}});
  const std::string clip = wav(1);
  f.upload_ok(clip);
  REQUIRE(f.daemon.stop() == 0);
  const fs::path temp = f.file_for(clip).parent_path() / ".tmp-deadbeef";
  std::ofstream(temp) << "half a clip";
  f.daemon.start();
  CHECK_FALSE(fs::exists(temp));
  CHECK(fs::exists(f.file_for(clip)));
  CHECK(f.metric("driftd_clips_stored_bytes") == static_cast<double>(clip.size()));
}

TEST_CASE("results with device features store their windows, all or nothing") {
  Fixture f;
  auto window = [](double x) {
    json w = json::array();
    for (int i = 0; i < 13; ++i) w.push_back(x + i);
    w.push_back(-30.5);  // rms_dbfs
    return w;
  };
  json one = {{"device_id", "nursery-04"}, {"model_version", "12"},
              {"label", "crying"},         {"confidence", 0.9},
              {"result_id", "f1"},         {"features", {window(1), window(2)}}};
  auto ok = f.daemon.client(f.device).Post("/api/v1/results", one.dump(), "application/json");
  REQUIRE(ok);
  REQUIRE_MESSAGE(ok->status == 202, ok->body);
  CHECK(f.sql_count("SELECT COUNT(*) FROM window_features WHERE source = 'device' AND "
                    "clip_id IS NULL AND length(features) = 112") == 2);

  json batch = {{"results", {one, one}}};
  batch["results"][0]["result_id"] = "f2";
  batch["results"][1]["result_id"] = "f3";
  batch["results"][1]["features"][1].erase(0);  // 13 numbers instead of 14
  auto bad = f.daemon.client(f.device).Post("/api/v1/results", batch.dump(), "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(json_of(bad)["error"]["field"] == "features");
  CHECK(json_of(bad)["error"]["index"] == 1);
  CHECK(f.sql_count("SELECT COUNT(*) FROM window_features") == 2);
  CHECK(f.sql_count("SELECT COUNT(*) FROM results") == 1);
}

TEST_CASE("driftd features matches the MFCC reference and prints a table without --json") {
  TempDir dir;  // no config file here: the built-in features settings apply
  const fs::path wav_path = mfcc_testdata_dir() / "sine440.wav";
  auto out = run_driftd({"features", "--json", wav_path.string()}, dir.path());
  REQUIRE_MESSAGE(out.exit_code == 0, out.err);
  const json got = json::parse(out.out);
  std::ifstream in(mfcc_testdata_dir() / "sine440.default.json");
  const json expected = json::parse(in);
  CHECK(got["sample_rate_hz"] == 16000);
  REQUIRE(got["windows"].size() == 1);
  const json& w = got["windows"][0];
  CHECK(w["start_ms"] == 0);
  REQUIRE(w["mfcc"].size() == expected["features"].size());
  double worst_mfcc = 0, worst_raw = 0;
  for (std::size_t i = 0; i < expected["features"].size(); ++i) {
    for (std::size_t k = 0; k < expected["features"][i].size(); ++k) {
      worst_mfcc = std::max(worst_mfcc, std::abs(w["mfcc"][i][k].get<double>() -
                                                 expected["features"][i][k].get<double>()));
      worst_raw = std::max(worst_raw, std::abs(w["mfcc_raw"][i][k].get<double>() -
                                               expected["mfcc_raw"][i][k].get<double>()));
    }
  }
  CHECK(worst_mfcc < 5e-3);
  CHECK(worst_raw < 2e-3);
  CHECK(out.err.find("built-in") != std::string::npos);

  auto table = run_driftd({"features", wav_path.string()}, dir.path());
  CHECK(table.exit_code == 0);
  CHECK(table.out.find("start_ms") != std::string::npos);
  CHECK(table.out.find("rms_dbfs") != std::string::npos);
  CHECK(table.out.find("1 window(s) at 16000 Hz") != std::string::npos);
  CHECK(std::count(table.out.begin(), table.out.end(), '\n') == 3);  // header, window, summary

  CHECK(run_driftd({"features", (dir.path() / "missing.wav").string()}, dir.path()).exit_code == 1);
  CHECK(
      run_driftd({"features", "--config", "nope.yaml", wav_path.string()}, dir.path()).exit_code ==
      2);
}
