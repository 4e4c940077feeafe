#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "driftd/audio/audio_errors.hpp"
#include "driftd/audio/cmvn.hpp"
#include "driftd/audio/mfcc.hpp"
#include "support/audio_fixtures.hpp"

using driftd::audio::CmvnOptions;
using driftd::audio::FeatureMatrix;
using driftd::audio::MfccExtractor;
using driftd::config::Mfcc;

namespace {

std::vector<double> noise(std::size_t n, std::uint32_t seed) {
  std::vector<double> x(n);
  for (auto& v : x) {
    seed = seed * 1664525u + 1013904223u;
    v = static_cast<double>(static_cast<int>((seed >> 16) % 4001) - 2000);
  }
  return x;
}

bool bit_identical(const FeatureMatrix& a, const FeatureMatrix& b) {
  return a.rows == b.rows && a.cols == b.cols &&
         std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(double)) == 0;
}

}  // namespace

TEST_CASE("default parameters give 50 frames of 13 coefficients per second at 16 kHz") {
  auto ex = MfccExtractor::create(Mfcc{}, 16000, 16000);
  REQUIRE(ex.ok());
  CHECK(ex->num_frames() == 50);
  CHECK(ex->num_cepstral() == 13);
  CHECK(ex->frame_length() == 320);
  CHECK(ex->frame_stride() == 320);
}

TEST_CASE(
    "implementation version 1 rounds the frame length and counts frames without overlap credit") {
  Mfcc p;
  p.num_filters = 20;  // 32 filters over the old, squeezed bins would leave some empty
  p.frame_length = 0.025;
  p.frame_stride = 0.01;
  p.implementation_version = 2;
  auto v2 = MfccExtractor::create(p, 16000, 16000);
  p.implementation_version = 1;
  auto v1 = MfccExtractor::create(p, 16000, 16000);
  REQUIRE(v1.ok());
  REQUIRE(v2.ok());
  CHECK(v2->num_frames() == 98);  // floor((16000 - (400 - 160)) / 160)
  CHECK(v1->num_frames() == 97);  // floor((16000 - 400) / 160)
}

TEST_CASE("versions up to 3 squeeze the mel filters into the lower half of the spectrum") {
  Mfcc p;
  p.num_filters = 20;
  p.implementation_version = 3;
  auto v3 = MfccExtractor::create(p, 16000, 16000);
  p.implementation_version = 4;
  auto v4 = MfccExtractor::create(p, 16000, 16000);
  REQUIRE(v3.ok());
  REQUIRE(v4.ok());
  const auto last_bin = [](const FeatureMatrix& fb) {
    std::size_t last = 0;
    for (std::size_t k = 0; k < fb.cols; ++k) {
      if (fb.at(fb.rows - 1, k) != 0) last = k;
    }
    return last;
  };
  CHECK(last_bin(v4->filterbank()) == 127);  // floor(257·7999.999/16000) = 128 is the edge
  CHECK(last_bin(v3->filterbank()) <= 65);   // floor(130·7999.999/16000) = 64
}

TEST_CASE("every mel filter is a triangle peaking at 1") {
  auto ex = MfccExtractor::create(Mfcc{}, 16000, 16000);
  REQUIRE(ex.ok());
  const FeatureMatrix fb = ex->filterbank();
  REQUIRE(fb.rows == 32);
  REQUIRE(fb.cols == 129);
  for (std::size_t f = 0; f < fb.rows; ++f) {
    double peak = 0;
    for (std::size_t k = 0; k < fb.cols; ++k) peak = std::max(peak, fb.at(f, k));
    CHECK(peak == 1.0);
  }
  CHECK(fb.at(0, 0) == 1.0);  // with the defaults the lowest filter is the DC bin alone
  CHECK(fb.at(0, 1) == 0.0);
}

TEST_CASE("unusable MFCC parameters are refused with the field to fix") {
  struct Bad {
    const char* field;
    void (*edit)(Mfcc&);
  };
  const Bad cases[] = {
      {"features.mfcc.implementation_version", [](Mfcc& p) { p.implementation_version = 5; }},
      {"features.mfcc.num_filters", [](Mfcc& p) { p.num_filters = 1; }},
      {"features.mfcc.num_cepstral", [](Mfcc& p) { p.num_cepstral = 0; }},
      {"features.mfcc.num_cepstral", [](Mfcc& p) { p.num_cepstral = 40; }},
      {"features.mfcc.fft_length", [](Mfcc& p) { p.fft_length = 300; }},
      {"features.mfcc.frame_length", [](Mfcc& p) { p.frame_length = 0; }},
      {"features.mfcc.frame_length", [](Mfcc& p) { p.frame_length = 2.0; }},
      {"features.mfcc.frame_stride", [](Mfcc& p) { p.frame_stride = -1; }},
      {"features.mfcc.frame_stride", [](Mfcc& p) { p.frame_stride = 0.001; }},  // 984 frames
      {"features.mfcc.win_size", [](Mfcc& p) { p.win_size = 100; }},
      {"features.mfcc.low_frequency", [](Mfcc& p) { p.low_frequency = -1; }},
      {"features.mfcc.high_frequency", [](Mfcc& p) { p.high_frequency = 9000; }},
      {"features.mfcc.pre_shift", [](Mfcc& p) { p.pre_shift = 0; }},
      {"features.mfcc.num_filters", [](Mfcc& p) { p.num_filters = 128; }},  // empty filters
  };
  for (const Bad& bad : cases) {
    Mfcc p;
    bad.edit(p);
    auto ex = MfccExtractor::create(p, 16000, 16000);
    CAPTURE(bad.field);
    REQUIRE_FALSE(ex.ok());
    CHECK(ex.error().code == driftd::audio::k_invalid_features_config);
    CHECK(ex.error().field == bad.field);
    CHECK_FALSE(ex.error().message.empty());
  }
  CHECK(MfccExtractor::create(Mfcc{}, 500, 16000).error().field == "features.sample_rate_hz");
}

TEST_CASE("silence gives log(1e-10) energies and zero normalized features") {
  auto ex = MfccExtractor::create(Mfcc{}, 16000, 16000);
  REQUIRE(ex.ok());
  const auto out = ex->compute(std::vector<double>(16000, 0.0));
  for (std::size_t r = 0; r < out.mfcc_raw.rows; ++r) {
    CHECK(out.mfcc_raw.at(r, 0) == std::log(1e-10));
    for (std::size_t c = 0; c < out.mfcc.cols; ++c) CHECK(out.mfcc.at(r, c) == 0.0);
  }
}

TEST_CASE("overlapping windows share frames and stay bit-identical to single windows") {
  struct Setup {
    Mfcc params;
    std::size_t window;
    std::vector<std::size_t> starts;
  };
  Mfcc fine;  // stride of 2 samples and a pre-shift that wraps into three frames
  fine.frame_length = 0.004;
  fine.frame_stride = 0.0001;
  fine.fft_length = 64;
  fine.num_filters = 8;
  fine.num_cepstral = 6;
  fine.win_size = 5;
  fine.pre_shift = 5;
  const Setup setups[] = {
      {Mfcc{}, 16000, {0, 4800, 9600, 14400, 19200, 24000}},
      {Mfcc{}, 16000, {0, 4000, 4321, 8001}},  // starts off the frame grid
      {fine, 900, {0, 10, 21, 40, 41}},
  };
  const std::vector<double> clip = noise(41000, 99);
  for (const Setup& s : setups) {
    auto ex = MfccExtractor::create(s.params, 16000, s.window);
    REQUIRE(ex.ok());
    const auto shared = ex->compute_windows(clip, s.starts);
    REQUIRE(shared.size() == s.starts.size());
    for (std::size_t i = 0; i < s.starts.size(); ++i) {
      CAPTURE(s.starts[i]);
      const auto alone = ex->compute(std::span<const double>(clip).subspan(s.starts[i], s.window));
      CHECK(bit_identical(shared[i].mfcc_raw, alone.mfcc_raw));
      CHECK(bit_identical(shared[i].mfcc, alone.mfcc));
    }
  }
}

TEST_CASE("pre-emphasis wraps around the window: the first frame sees the last sample") {
  auto ex = MfccExtractor::create(Mfcc{}, 16000, 16000);
  REQUIRE(ex.ok());
  std::vector<double> x = noise(16000, 5);
  const auto before = ex->compute(x);
  x.back() += 1000;  // only frame 0 (through the wrap) and the last sample's frame change
  const auto after = ex->compute(x);
  CHECK(before.mfcc_raw.at(0, 1) != after.mfcc_raw.at(0, 1));
  for (std::size_t r = 1; r < 50; ++r) {
    for (std::size_t c = 0; c < 13; ++c) CHECK(before.mfcc_raw.at(r, c) == after.mfcc_raw.at(r, c));
  }
}

TEST_CASE("sliding CMVN follows numpy's symmetric padding, repeating past the edges") {
  FeatureMatrix m(3, 1);
  m.at(0, 0) = 1;
  m.at(1, 0) = 2;
  m.at(2, 0) = 4;
  // np.pad([1, 2, 4], 5, 'symmetric') = [2 4 4 2 1 | 1 2 4 | 4 2 1 1 2]
  const double padded[] = {2, 4, 4, 2, 1, 1, 2, 4, 4, 2, 1, 1, 2};
  const FeatureMatrix got = driftd::audio::cmvn_sliding(m, 11, CmvnOptions{false});
  std::vector<double> centred(3);
  for (std::size_t i = 0; i < 3; ++i) {
    double sum = 0;
    for (std::size_t j = i; j < i + 11; ++j) sum += padded[j];
    centred[i] = m.at(i, 0) - sum / 11;
  }
  const std::size_t source[] = {1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1};
  for (std::size_t i = 0; i < 3; ++i) {
    double sum = 0, sq = 0;
    for (std::size_t j = i; j < i + 11; ++j) sum += centred[source[j]];
    const double mean = sum / 11;
    for (std::size_t j = i; j < i + 11; ++j)
      sq += (centred[source[j]] - mean) * (centred[source[j]] - mean);
    const double want = centred[i] / (std::sqrt(sq / 11) + 1e-10);
    CHECK(got.at(i, 0) == doctest::Approx(want).epsilon(1e-12));
  }
}
