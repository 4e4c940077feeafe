#include <doctest/doctest.h>

#include <sndfile.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "driftd/audio/audio_errors.hpp"
#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/audio/features_report.hpp"
#include "driftd/audio/levels.hpp"
#include "support/audio_fixtures.hpp"

using driftd::audio::ClipAnalyzer;
using driftd::audio::rms_dbfs;
using driftd::config::Features;
using driftd::test::tone;

namespace {

ClipAnalyzer analyzer(const Features& features = {}) {
  auto a = ClipAnalyzer::create(features);
  REQUIRE(a.ok());
  return std::move(a.value());
}

}  // namespace

TEST_CASE("a 2.5 s clip gives 6 windows of 1000 ms every 300 ms") {
  auto clip = analyzer().analyze_samples(tone(523, 6000, 16000, 40000));
  REQUIRE(clip.ok());
  REQUIRE(clip->windows.size() == 6);
  for (std::size_t k = 0; k < 6; ++k) {
    CHECK(clip->windows[k].start_ms == static_cast<std::int64_t>(300 * k));
    CHECK(clip->windows[k].start_sample == 4800 * k);
    CHECK(clip->windows[k].mfcc.rows == 50);
    CHECK(clip->windows[k].mfcc_raw.cols == 13);
  }
  CHECK_FALSE(clip->zero_padded);
}

TEST_CASE("window counts follow the fit-entirely rule") {
  const Features f;
  CHECK(driftd::audio::window_starts(16000, f).value().size() == 1);
  CHECK(driftd::audio::window_starts(20799, f).value().size() == 1);
  CHECK(driftd::audio::window_starts(20800, f).value().size() == 2);
  Features odd = f;  // 11025 Hz: starts are floored, lengths too
  odd.sample_rate_hz = 11025;
  const auto starts = driftd::audio::window_starts(11025 * 2, odd).value();
  REQUIRE(starts.size() == 4);
  CHECK(starts[1] == 3307);
  CHECK(starts[3] == 9922);
}

TEST_CASE("a clip shorter than a window is zero-padded, or refused without zero_pad") {
  const std::vector<double> half = tone(440, 8000, 16000, 8000);
  auto clip = analyzer().analyze_samples(half);
  REQUIRE(clip.ok());
  REQUIRE(clip->windows.size() == 1);
  CHECK(clip->zero_padded);
  CHECK(clip->num_samples == 8000);
  // Padding counts in the level: half the energy, 3 dB down.
  CHECK(clip->windows[0].rms_dbfs ==
        doctest::Approx(rms_dbfs(half) - 10 * std::log10(2.0)).epsilon(1e-9));

  Features strict;
  strict.zero_pad = false;
  auto refused = analyzer(strict).analyze_samples(half);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == driftd::audio::k_clip_too_short);

  auto empty = analyzer().analyze_samples({});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == driftd::audio::k_empty_audio);
}

TEST_CASE("clips over max_clip_seconds are refused") {
  Features f;
  f.max_clip_seconds = 2;
  auto r = analyzer(f).analyze_samples(std::vector<double>(32001, 1.0));
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == driftd::audio::k_audio_too_long);
  CHECK(analyzer(f).analyze_samples(std::vector<double>(32000, 1.0)).ok());
}

TEST_CASE("rms_dbfs measures int16-scale levels with a -120 dB floor") {
  std::vector<double> square(16000);
  for (std::size_t i = 0; i < square.size(); ++i) square[i] = (i / 40) % 2 ? -32768.0 : 32768.0;
  CHECK(rms_dbfs(square) == doctest::Approx(0.0));
  CHECK(rms_dbfs(std::vector<double>(16000, 0.0)) == -120.0);
  CHECK(rms_dbfs(std::vector<double>(16000, 1e-3)) == -120.0);
  CHECK(rms_dbfs({}) == -120.0);
  const double want = 20 * std::log10(8000 / std::sqrt(2.0) / 32768);  // about -15.26 dB
  CHECK(rms_dbfs(tone(1000, 8000, 16000, 16000)) == doctest::Approx(want).epsilon(1e-4));
  CHECK(rms_dbfs(std::vector<double>(100, -3000.0)) ==
        doctest::Approx(20 * std::log10(3000 / 32768.0)));
}

TEST_CASE("the drift features of a window are the frame means of mfcc_raw and the level") {
  auto clip = analyzer().analyze_samples(tone(700, 5000, 16000, 16000));
  REQUIRE(clip.ok());
  const auto& w = clip->windows[0];
  const std::vector<double> v = driftd::audio::drift_features(w);
  const std::vector<std::string> names = driftd::audio::drift_feature_names(13);
  REQUIRE(v.size() == 14);
  REQUIRE(names.size() == 14);
  CHECK(names.front() == "mfcc_0");
  CHECK(names[12] == "mfcc_12");
  CHECK(names.back() == "rms_dbfs");
  for (std::size_t c = 0; c < 13; ++c) {
    double sum = 0;
    for (std::size_t r = 0; r < w.mfcc_raw.rows; ++r) sum += w.mfcc_raw.at(r, c);
    CHECK(v[c] == doctest::Approx(sum / 50).epsilon(1e-12));
  }
  CHECK(v[13] == w.rms_dbfs);
}

TEST_CASE("a 44.1 kHz stereo file is mixed down, resampled and windowed at 16 kHz") {
  const std::vector<double> left = tone(500, 6000, 44100, 88200);
  std::vector<double> frames;
  for (const double v : left) {
    frames.push_back(v);
    frames.push_back(v);
  }
  const auto bytes = driftd::test::encode_audio(frames, 2, 44100, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  auto clip = analyzer().analyze_bytes(bytes);
  REQUIRE(clip.ok());
  CHECK(clip->sample_rate_hz == 16000);
  CHECK(clip->num_samples >= 31999);
  CHECK(clip->windows.size() == 4);  // 2 s: starts 0, 300, 600, 900 ms
}

TEST_CASE("invalid features settings are refused with the field to fix") {
  Features f;
  f.window_increase_ms = 0;
  auto a = ClipAnalyzer::create(f);
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().field == "features.window_increase_ms");
  f = Features{};
  f.mfcc.fft_length = 100;
  CHECK(ClipAnalyzer::create(f).error().field == "features.mfcc.fft_length");
}

TEST_CASE("driftd features prints the reference features as JSON") {
  const auto wav = driftd::test::mfcc_testdata_dir() / "sine440.wav";
  std::ostringstream out, err;
  REQUIRE(driftd::audio::run_features_command(wav.string(), true, Features{}, out, err) == 0);
  CHECK(err.str().empty());
  const auto json = nlohmann::json::parse(out.str());
  CHECK(json.at("sample_rate_hz") == 16000);
  REQUIRE(json.at("windows").size() == 1);
  const auto& w = json.at("windows")[0];
  CHECK(w.at("start_ms") == 0);
  REQUIRE(w.at("mfcc").size() == 50);
  REQUIRE(w.at("mfcc_raw")[0].size() == 13);
  std::ifstream ref_in(driftd::test::mfcc_testdata_dir() / "sine440.default.json");
  const auto ref = nlohmann::json::parse(ref_in);
  CHECK(w.at("mfcc")[10][3].get<double>() ==
        doctest::Approx(ref.at("features")[10][3].get<double>()).epsilon(1e-5));
  CHECK(w.at("mfcc_raw")[49][12].get<double>() ==
        doctest::Approx(ref.at("mfcc_raw")[49][12].get<double>()).epsilon(1e-9));
  CHECK(w.at("rms_dbfs").get<double>() == doctest::Approx(-15.26).epsilon(1e-3));
}

TEST_CASE("driftd features prints a table, and says why a file cannot be used") {
  const auto wav = driftd::test::mfcc_testdata_dir() / "twotone_half_second.wav";
  std::ostringstream out, err;
  REQUIRE(driftd::audio::run_features_command(wav.string(), false, Features{}, out, err) == 0);
  CHECK(out.str().find("start_ms") != std::string::npos);
  CHECK(out.str().find("mfcc_12") != std::string::npos);
  CHECK(out.str().find("zero-padded") != std::string::npos);

  std::ostringstream out2, err2;
  CHECK(driftd::audio::run_features_command("/nonexistent/clip.wav", true, Features{}, out2,
                                            err2) == 1);
  CHECK(err2.str().find("/nonexistent/clip.wav") != std::string::npos);
  CHECK(out2.str().empty());

  const auto readme = driftd::test::mfcc_testdata_dir() / "README.md";
  std::ostringstream out3, err3;
  CHECK(driftd::audio::run_features_command(readme.string(), false, Features{}, out3, err3) == 1);
  CHECK(err3.str().find("unsupported_audio_format") != std::string::npos);

  Features bad;
  bad.mfcc.win_size = 4;
  std::ostringstream out4, err4;
  CHECK(driftd::audio::run_features_command(wav.string(), false, bad, out4, err4) == 2);
  CHECK(err4.str().find("features.mfcc.win_size") != std::string::npos);
}
