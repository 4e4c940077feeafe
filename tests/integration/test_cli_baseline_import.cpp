// `driftd baseline import` with the real binary on generated WAV folders: the summary, the
// stored reference as GET /api/v1/baselines shows it, skipped files, and exit codes.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "support/daemon_process.hpp"
#include "support/training_audio.hpp"

using namespace driftd::test;
namespace fs = std::filesystem;

namespace {

const std::vector<ToneLabel> k_labels{{"dog", 440}, {"cat", 1200}};

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace

TEST_CASE("baseline import stores a labelled reference that GET /api/v1/baselines lists") {
  TempDir dir;
  write_tone_set(dir.path() / "train", k_labels, 5, 1);  // 10 clips of 6 windows
  write_file(dir.path() / "train" / "cat" / "broken.wav", "RIFF\x10\0\0\0WAVEjunk");
  write_file(dir.path() / "train" / "notes.txt", "not audio");
  std::ofstream(dir.path() / "driftd.yaml") << basic_config();

  const CliResult imported =
      run_driftd({"baseline", "import", "--config", "driftd.yaml", "train"}, dir.path());
  INFO(imported.out);
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  CHECK(imported.out.find("stored for model version default") != std::string::npos);
  CHECK(imported.out.find("clips:    10\n") != std::string::npos);
  CHECK(imported.out.find("windows:  60\n") != std::string::npos);
  CHECK(imported.out.find("features: 14 (10 bins each)") != std::string::npos);
  CHECK(imported.out.find("cat                            5 clips         30 windows") !=
        std::string::npos);
  CHECK(imported.out.find("dog                            5 clips         30 windows") !=
        std::string::npos);
  CHECK(imported.err.find("skipped train/cat/broken.wav: ") != std::string::npos);
  CHECK(imported.err.find("11/11 files, 60 windows, 1 skipped") != std::string::npos);
  CHECK(imported.err.find("notes.txt") == std::string::npos);

  // A second version from one file given directly; its label is its folder's name.
  const CliResult single = run_driftd({"baseline", "import", "--config", "driftd.yaml",
                                       "--model-version", "12", "train/dog/clip_0.wav"},
                                      dir.path());
  REQUIRE(single.exit_code == 0);
  CHECK(single.out.find("stored for model version 12") != std::string::npos);
  CHECK(single.out.find("dog                            1 clips          6 windows") !=
        std::string::npos);

  DaemonProcess daemon(dir.path(), basic_config());
  daemon.start();
  const std::string viewer = create_token(dir.path(), "viewer");
  auto answer = daemon.client(viewer).Get("/api/v1/baselines");
  REQUIRE(answer);
  REQUIRE(answer->status == 200);
  const auto body = nlohmann::json::parse(answer->body);
  REQUIRE(body.at("baselines").size() == 2);
  const auto& newest = body["baselines"][0];
  CHECK(newest.at("model_version") == "12");
  CHECK(newest.at("windows") == 6);
  CHECK(newest.at("clips") == 1);
  CHECK(newest.at("source") == "import:train/dog/clip_0.wav");
  const auto& first = body["baselines"][1];
  CHECK(first.at("model_version") == "default");
  CHECK(first.at("windows") == 60);
  CHECK(first.at("clips") == 10);
  CHECK(first.at("source") == "import:train");
  CHECK(first.at("created").get<std::string>().ends_with("Z"));
  CHECK(first.size() == 5);

  auto anonymous = daemon.client().Get("/api/v1/baselines");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(daemon.stop() == 0);
}

TEST_CASE("baseline import of a newer reference replaces the listed one") {
  TempDir dir;
  write_tone_set(dir.path() / "a", k_labels, 2, 1);
  write_tone_set(dir.path() / "b", k_labels, 3, 2);
  std::ofstream(dir.path() / "driftd.yaml") << basic_config({{"edge_impulse.model_version", "9"}});
  REQUIRE(
      run_driftd({"baseline", "import", "--config", "driftd.yaml", "a"}, dir.path()).exit_code ==
      0);
  const CliResult second =
      run_driftd({"baseline", "import", "--config", "driftd.yaml", "b", "a"}, dir.path());
  REQUIRE(second.exit_code == 0);
  CHECK(second.out.find("stored for model version 9") != std::string::npos);
  CHECK(second.out.find("source:   import:b (+1 more)") != std::string::npos);
  CHECK(second.out.find("clips:    10\n") != std::string::npos);

  DaemonProcess daemon(dir.path(), basic_config());
  daemon.start();
  auto answer = daemon.client(create_token(dir.path(), "viewer")).Get("/api/v1/baselines");
  REQUIRE(answer);
  const auto body = nlohmann::json::parse(answer->body);
  REQUIRE(body.at("baselines").size() == 1);
  CHECK(body["baselines"][0].at("clips") == 10);
  CHECK(daemon.stop() == 0);
}

TEST_CASE("baseline import stores nothing and exits 1 when no file decodes") {
  TempDir dir;
  write_file(dir.path() / "train" / "dog" / "a.wav", "not a wav at all");
  write_file(dir.path() / "train" / "dog" / "b.wav", "");
  std::ofstream(dir.path() / "driftd.yaml") << basic_config();
  const CliResult result =
      run_driftd({"baseline", "import", "--config", "driftd.yaml", "train"}, dir.path());
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("skipped train/dog/a.wav") != std::string::npos);
  CHECK(result.err.find("skipped train/dog/b.wav") != std::string::npos);
  CHECK(result.err.find("none of the 2 files could be decoded: nothing stored") !=
        std::string::npos);
  CHECK(result.out.empty());

  fs::create_directories(dir.path() / "empty");
  const CliResult empty =
      run_driftd({"baseline", "import", "--config", "driftd.yaml", "empty"}, dir.path());
  CHECK(empty.exit_code == 1);
  CHECK(empty.err.find("no .wav or .flac file") != std::string::npos);
}

TEST_CASE("baseline import usage errors exit 2") {
  TempDir dir;
  write_tone_set(dir.path() / "train", k_labels, 1, 1);
  std::ofstream(dir.path() / "driftd.yaml") << basic_config();
  CHECK(run_driftd({"baseline", "import", "--config", "driftd.yaml"}, dir.path()).exit_code == 2);
  const CliResult missing =
      run_driftd({"baseline", "import", "--config", "driftd.yaml", "nowhere"}, dir.path());
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("nowhere: no such file or folder") != std::string::npos);
  const CliResult version = run_driftd(
      {"baseline", "import", "--config", "driftd.yaml", "--model-version", "a b", "train"},
      dir.path());
  CHECK(version.exit_code == 2);
  CHECK(version.err.find("model version") != std::string::npos);
  CHECK(run_driftd({"baseline", "--config", "driftd.yaml"}, dir.path()).exit_code == 2);
  CHECK_FALSE(fs::exists(dir.path() / "var" / "driftd.db"));
}
