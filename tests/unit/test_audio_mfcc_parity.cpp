// Parity with Edge Impulse's MFCC block: every case of ../shared/testdata/mfcc/ (both
// parameter sets), read at run time from the manifest.

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/audio/decoder.hpp"
#include "driftd/audio/mfcc.hpp"
#include "support/audio_fixtures.hpp"

using driftd::audio::ClipAnalyzer;
using driftd::audio::CmvnOptions;
using driftd::audio::FeatureMatrix;
using driftd::audio::MfccExtractor;

namespace {

nlohmann::json load_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open ", path.string());
  return nlohmann::json::parse(in);
}

driftd::config::Mfcc params_from(const nlohmann::json& p) {
  driftd::config::Mfcc m;
  m.implementation_version = p.at("implementation_version").get<int>();
  m.num_cepstral = p.at("num_cepstral").get<int>();
  m.frame_length = p.at("frame_length").get<double>();
  m.frame_stride = p.at("frame_stride").get<double>();
  m.num_filters = p.at("num_filters").get<int>();
  m.fft_length = p.at("fft_length").get<int>();
  m.win_size = p.at("win_size").get<int>();
  m.low_frequency = p.at("low_frequency").get<double>();
  m.high_frequency = p.at("high_frequency").get<double>();
  m.pre_cof = p.at("pre_cof").get<double>();
  m.pre_shift = p.at("pre_shift").get<int>();
  return m;
}

double max_abs_diff(const FeatureMatrix& got, const nlohmann::json& expected) {
  REQUIRE(got.rows == expected.size());
  double worst = 0;
  for (std::size_t r = 0; r < got.rows; ++r) {
    REQUIRE(got.cols == expected[r].size());
    for (std::size_t c = 0; c < got.cols; ++c) {
      worst = std::max(worst, std::fabs(got.at(r, c) - expected[r][c].get<double>()));
    }
  }
  return worst;
}

struct Case {
  std::string name;
  std::string set;
  std::vector<double> samples;  // zero-padded as the reference was
  nlohmann::json expected;
};

std::vector<Case> load_cases() {
  const auto dir = driftd::test::mfcc_testdata_dir();
  const nlohmann::json manifest = load_json(dir / "manifest.json");
  std::vector<Case> cases;
  for (const auto& entry : manifest.at("cases")) {
    const auto bytes = driftd::test::read_bytes(dir / entry.at("wav").get<std::string>());
    auto audio = driftd::audio::decode_audio(bytes);
    REQUIRE(audio.ok());
    for (const auto& [set, file] : entry.at("outputs").items()) {
      Case c{entry.at("case").get<std::string>(), set, audio->samples,
             load_json(dir / file.get<std::string>())};
      const auto& pad = c.expected.at("input").at("zero_padded_to");
      if (!pad.is_null()) c.samples.resize(pad.get<std::size_t>(), 0.0);
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

}  // namespace

TEST_CASE("every reference case matches Edge Impulse's MFCC within double-precision error") {
  const std::vector<Case> cases = load_cases();
  REQUIRE(cases.size() == 10);
  double worst_raw = 0, worst_features = 0;
  for (const Case& c : cases) {
    CAPTURE(c.name);
    CAPTURE(c.set);
    const auto params = params_from(c.expected.at("params"));
    const int rate = c.expected.at("params").at("sampling_frequency").get<int>();
    auto extractor = MfccExtractor::create(params, rate, c.samples.size());
    REQUIRE(extractor.ok());
    CHECK(extractor->num_frames() == c.expected.at("num_frames").get<std::size_t>());
    const auto out = extractor->compute(c.samples);
    const double raw = max_abs_diff(out.mfcc_raw, c.expected.at("mfcc_raw"));
    const double features = max_abs_diff(out.mfcc, c.expected.at("features"));
    MESSAGE(c.name, " ", c.set, ": max |Δ| mfcc_raw ", raw, ", features ", features);
    CHECK(raw <= 2e-3);  // the contract's tolerance
    if (c.expected.at("ill_conditioned").get<bool>()) {
      CHECK(features <= 1e-3);  // silence: the reference divides residue by 1e-10
    } else {
      CHECK(features <= 5e-3);  // the contract's tolerance
      CHECK(raw <= 1e-9);       // what double precision owes
      CHECK(features <= 1e-5);
      worst_features = std::max(worst_features, features);
    }
    worst_raw = std::max(worst_raw, raw);
  }
  MESSAGE("worst well-conditioned max |Δ|: mfcc_raw ", worst_raw, ", features ", worst_features);
}

TEST_CASE("rounding the CMVN intermediate like the reference does not lose parity") {
  const std::vector<Case> cases = load_cases();
  double rounded = 0, unrounded = 0;
  for (const Case& c : cases) {
    if (c.expected.at("ill_conditioned").get<bool>()) continue;
    const auto params = params_from(c.expected.at("params"));
    for (const bool round : {true, false}) {
      auto extractor = MfccExtractor::create(params, 16000, c.samples.size(), CmvnOptions{round});
      REQUIRE(extractor.ok());
      const double d = max_abs_diff(extractor->compute(c.samples).mfcc, c.expected.at("features"));
      (round ? rounded : unrounded) = std::max(round ? rounded : unrounded, d);
    }
  }
  MESSAGE("features max |Δ|: intermediate rounded ", rounded, ", kept in double ", unrounded);
  CHECK(rounded <= unrounded);
}

TEST_CASE("the clip pipeline gives the reference features for the reference WAV files") {
  const auto dir = driftd::test::mfcc_testdata_dir();
  for (const char* name : {"sine440", "twotone_half_second"}) {
    CAPTURE(name);
    const nlohmann::json expected = load_json(dir / (std::string(name) + ".default.json"));
    driftd::config::Features features;  // the defaults are the reference's default set
    auto analyzer = ClipAnalyzer::create(features);
    REQUIRE(analyzer.ok());
    auto clip =
        analyzer->analyze_bytes(driftd::test::read_bytes(dir / (std::string(name) + ".wav")));
    REQUIRE(clip.ok());
    REQUIRE(clip->windows.size() == 1);
    CHECK(max_abs_diff(clip->windows[0].mfcc_raw, expected.at("mfcc_raw")) <= 1e-9);
    CHECK(max_abs_diff(clip->windows[0].mfcc, expected.at("features")) <= 1e-5);
  }
}
