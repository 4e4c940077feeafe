// `driftd compare` with the real binary on generated WAV sets: a set against itself scores
// zero, two sets from the same generator are ok, a gain change alarms with the rms_dbfs
// numbers worked out by hand below, and the exit codes of SPEC §6.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/daemon_process.hpp"
#include "support/training_audio.hpp"

using namespace driftd::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::vector<ToneLabel> k_labels{{"dog", 440}, {"cat", 1200}};

// 20 clips per label: 40 clips, 240 windows (at least the default min_windows of 200).
void write_set(const fs::path& dir, std::uint64_t seed, double gain = 1.0) {
  write_tone_set(dir, k_labels, 20, seed, gain);
}

const json& feature(const json& report, const std::string& name) {
  for (const auto& f : report.at("features")) {
    if (f.at("name") == name) return f;
  }
  FAIL("no feature " << name);
  throw std::logic_error("unreachable");
}

json compare_json(const fs::path& dir, const std::string& reference, const std::string& current,
                  int expected_exit, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"compare",   "--reference", reference,
                                "--current", current,       "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliResult result = run_driftd(args, dir);
  INFO(result.err);
  REQUIRE(result.exit_code == expected_exit);
  return json::parse(result.out);
}

}  // namespace

TEST_CASE("compare of a set with itself scores zero everywhere, without a config file") {
  TempDir dir;
  write_set(dir.path() / "a", 1);
  const CliResult result =
      run_driftd({"compare", "--reference", "a", "--current", "a", "--json"}, dir.path());
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.find("no config file") != std::string::npos);
  const json report = json::parse(result.out);
  CHECK(report.at("model_version") == "default");
  CHECK(report.at("device_id").is_null());
  CHECK(report.at("window").at("from") == report.at("evaluated_at"));
  CHECK(report.at("window").at("to") == report.at("evaluated_at"));
  CHECK(report.at("reference_windows") == 240);
  CHECK(report.at("current_windows") == 240);
  CHECK(report.at("status") == "ok");
  CHECK_FALSE(report.contains("predictions"));
  REQUIRE(report.at("features").size() == 14);
  for (const auto& f : report.at("features")) {
    CHECK(f.at("psi") == 0.0);
    CHECK(f.at("kl") == 0.0);
    CHECK(f.at("js") == 0.0);
    CHECK(f.at("status") == "ok");
  }
}

TEST_CASE("compare of two sets from the same generator is ok") {
  TempDir dir;
  write_set(dir.path() / "a", 1);
  write_set(dir.path() / "b", 2);
  const json report = compare_json(dir.path(), "a", "b", 0, {"--fail-on", "warn"});
  CHECK(report.at("status") == "ok");
  for (const auto& f : report.at("features")) {
    CHECK(f.at("status") == "ok");
    CHECK(f.at("psi").get<double>() > 0.0);  // alike, not equal
  }
}

TEST_CASE("compare after a gain change alarms, with rms_dbfs scores checkable by hand") {
  TempDir dir;
  write_set(dir.path() / "a", 1);
  write_set(dir.path() / "loud", 1, 4.0);  // +12 dB: every window above every reference one
  const json report = compare_json(dir.path(), "a", "loud", 3, {"--fail-on", "alarm"});
  CHECK(report.at("status") == "alarm");
  const json& rms = feature(report, "rms_dbfs");
  CHECK(rms.at("status") == "alarm");

  // Reference: 240 distinct levels, so numpy's decile edges leave floor(239·k/10) + 1
  // values at or below edge k: 24 per bin. Current: all 240 in the top bin.
  // p = (24 + 0.5) / (240 + 5) = 0.1 per bin; q = 0.5 / 245 in bins 0-8, 240.5 / 245 in 9.
  const double p = 24.5 / 245.0;
  double psi = 0, kl = 0, js = 0;
  for (int bin = 0; bin < 10; ++bin) {
    const double q = (bin == 9 ? 240.5 : 0.5) / 245.0;
    const double m = (p + q) / 2;
    psi += (q - p) * std::log(q / p);
    kl += p * std::log(p / q);
    js += 0.5 * p * std::log2(p / m) + 0.5 * q * std::log2(q / m);
  }
  CHECK(rms.at("psi").get<double>() == doctest::Approx(psi).epsilon(1e-12));
  CHECK(rms.at("kl").get<double>() == doctest::Approx(kl).epsilon(1e-12));
  CHECK(rms.at("js").get<double>() == doctest::Approx(js).epsilon(1e-12));
  CHECK(psi == doctest::Approx(5.444846246297324).epsilon(1e-12));  // python3, same formula
  CHECK(kl == doctest::Approx(3.2742335711000505).epsilon(1e-12));
  CHECK(js == doctest::Approx(0.6946034492881821).epsilon(1e-12));
}

TEST_CASE("compare prints a table sorted by PSI when not asked for JSON") {
  TempDir dir;
  write_set(dir.path() / "a", 1);
  write_set(dir.path() / "loud", 1, 4.0);
  const CliResult result = run_driftd(
      {"compare", "--reference", "a", "--current", "loud", "--fail-on", "warn"}, dir.path());
  REQUIRE(result.exit_code == 3);  // alarm is worse than warn
  CHECK(result.out.find("reference: 240 windows from 40 files") != std::string::npos);
  CHECK(result.out.find("status: alarm") != std::string::npos);
  // The first row under the header has the largest PSI: rms_dbfs or mfcc_0 (both move).
  const auto header = result.out.find("feature");
  REQUIRE(header != std::string::npos);
  const auto first_row = result.out.find('\n', header) + 1;
  const std::string first =
      result.out.substr(first_row, result.out.find('\n', first_row) - first_row);
  CHECK((first.starts_with("rms_dbfs") || first.starts_with("mfcc_0")));
}

TEST_CASE("compare with too few current windows says insufficient_data and does not fail") {
  TempDir dir;
  write_set(dir.path() / "a", 1);
  write_tone_set(dir.path() / "few", k_labels, 5, 3, 4.0);  // 60 windows < 200
  const json report = compare_json(dir.path(), "a", "few", 0, {"--fail-on", "warn"});
  CHECK(report.at("status") == "insufficient_data");
  CHECK(report.at("current_windows") == 60);

  std::ofstream(dir.path() / "driftd.yaml") << basic_config({{"drift.min_windows", "10"}});
  const json configured =
      compare_json(dir.path(), "a", "few", 3, {"--config", "driftd.yaml", "--fail-on", "alarm"});
  CHECK(configured.at("status") == "alarm");
}

TEST_CASE("compare exits 1 on a file it cannot read and 2 on usage errors") {
  TempDir dir;
  write_set(dir.path() / "a", 1);
  fs::create_directories(dir.path() / "bad");
  std::ofstream(dir.path() / "bad" / "x.wav") << "RIFF garbage";
  const CliResult bad = run_driftd({"compare", "--reference", "bad", "--current", "a"}, dir.path());
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("cannot read bad/x.wav") != std::string::npos);
  const CliResult missing =
      run_driftd({"compare", "--reference", "missing.wav", "--current", "a"}, dir.path());
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("missing.wav: no such file or folder") != std::string::npos);
  CHECK(run_driftd({"compare", "--reference", "a"}, dir.path()).exit_code == 2);
  CHECK(
      run_driftd({"compare", "--reference", "a", "--current", "a", "--fail-on", "oops"}, dir.path())
          .exit_code == 2);
  std::ofstream(dir.path() / "broken.yaml") << "drift:\n  bins: one\n";
  CHECK(run_driftd({"compare", "--config", "broken.yaml", "--reference", "a", "--current", "a"},
                   dir.path())
            .exit_code == 2);
}
