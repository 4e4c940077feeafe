// The live drift engine's buckets in a real SQLite database: windows and results are
// accumulated in their own write jobs exactly as binning everything at once would, a new
// reference re-bins what is stored, and reading a window touches only that window's rows.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "driftd/drift/compact_counts.hpp"
#include "driftd/drift/live_window.hpp"
#include "driftd/drift/reference_builder.hpp"
#include "driftd/store/drift_binning.hpp"
#include "driftd/store/drift_buckets.hpp"
#include "driftd/store/drift_rebin.hpp"
#include "driftd/store/results.hpp"
#include "support/drift_engine_fixtures.hpp"
#include "support/store_scratch.hpp"

using namespace driftd;
using namespace driftd::store;
using driftd::test::NormalSource;
using driftd::test::open_store;
using driftd::test::ScratchDir;

namespace {

constexpr std::int64_t k_hour = 3'600'000;
constexpr util::UnixMs k_t0 = 1'790'000'000'000 / k_hour * k_hour;  // a bucket start

struct StoredUnit {
  std::string device;
  util::UnixMs t = 0;
  drift::ClipFeatures windows;
};

// 60 units over 3 devices and 6 hours, 1 to 7 windows each.
std::vector<StoredUnit> make_units(std::uint64_t seed, double shift = 0) {
  NormalSource source(seed);
  std::vector<StoredUnit> units;
  for (int i = 0; i < 60; ++i) {
    StoredUnit u;
    u.device = "dev-" + std::to_string(i % 3);
    u.t = k_t0 + (i * 6 * k_hour) / 60 + i;
    u.windows =
        test::normal_unit(source, 1 + static_cast<std::size_t>(i % 7), test::k_engine_width, shift);
    units.push_back(std::move(u));
  }
  return units;
}

// The buckets of [first, last] per device, as samples.
std::map<std::string, drift::SampleCounts> read_samples(Store& store, const std::string& version,
                                                        util::UnixMs first, util::UnixMs last) {
  auto state = find_binning_state(store, version);
  REQUIRE(state.ok());
  REQUIRE(state->has_value());
  auto buckets = read_buckets(store, {version, first, last, (*state)->epoch, std::nullopt});
  REQUIRE(buckets.ok());
  std::map<std::string, drift::SampleCounts> out;
  for (const auto& d : buckets->devices) {
    auto sample = d.counts.to_sample();
    REQUIRE(sample.ok());
    out[d.device_id] = std::move(sample).value();
  }
  return out;
}

// Binning the units of [from, to) at once, per device.
std::map<std::string, drift::SampleCounts> bin_at_once(const drift::Reference& reference,
                                                       const std::vector<StoredUnit>& units,
                                                       util::UnixMs from, util::UnixMs to) {
  std::map<std::string, std::vector<drift::ClipFeatures>> by_device;
  for (const auto& u : units) {
    if (u.t >= from && u.t < to) by_device[u.device].push_back(u.windows);
  }
  std::map<std::string, drift::SampleCounts> out;
  for (const auto& [device, clips] : by_device) {
    auto sample = drift::bin_sample(reference, clips, test::k_engine_geometry);
    REQUIRE(sample.ok());
    out[device] = std::move(sample).value();
  }
  return out;
}

void check_same(const std::map<std::string, drift::SampleCounts>& a,
                const std::map<std::string, drift::SampleCounts>& b) {
  REQUIRE(a.size() == b.size());
  for (const auto& [device, sample] : a) {
    const auto& other = b.at(device);
    CHECK(sample.windows() == other.windows());
    CHECK(sample.clips() == other.clips());
    REQUIRE(sample.features() == other.features());
    for (std::size_t f = 0; f < sample.features(); ++f) {
      CHECK(sample.feature(f) == other.feature(f));
    }
    CHECK(test::close_relative(sample.overlap_weight(), other.overlap_weight(), 1e-12));
  }
}

}  // namespace

TEST_CASE("windows accumulated into buckets one job at a time equal binning them all at once") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "d.db");
  const auto reference = test::normal_reference(7, 300, 4);
  test::save_test_reference(*store, "12", reference, k_t0 - k_hour);
  const auto units = make_units(11);
  for (const auto& u : units) test::store_unit(*store, u.device, "12", u.t, u.windows);

  check_same(read_samples(*store, "12", k_t0, k_t0 + 5 * k_hour),
             bin_at_once(reference, units, k_t0, k_t0 + 6 * k_hour));
  // A sub-window reads only its buckets.
  check_same(read_samples(*store, "12", k_t0 + 2 * k_hour, k_t0 + 3 * k_hour),
             bin_at_once(reference, units, k_t0 + 2 * k_hour, k_t0 + 4 * k_hour));
}

TEST_CASE("buckets of several devices merge into the fleet's sample") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "d.db");
  const auto reference = test::normal_reference(8, 300, 4);
  test::save_test_reference(*store, "12", reference, k_t0 - k_hour);
  const auto units = make_units(12);
  for (const auto& u : units) test::store_unit(*store, u.device, "12", u.t, u.windows);
  drift::SampleCounts fleet;
  for (const auto& [device, sample] : read_samples(*store, "12", k_t0, k_t0 + 5 * k_hour)) {
    REQUIRE(fleet.merge(sample).ok());
  }
  std::vector<drift::ClipFeatures> all;
  for (const auto& u : units) all.push_back(u.windows);
  auto expected = drift::bin_sample(reference, all, test::k_engine_geometry);
  REQUIRE(expected.ok());
  check_same({{"fleet", fleet}}, {{"fleet", *expected}});
}

TEST_CASE("results add their labels and confidences to their buckets") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "d.db");
  std::vector<ResultRecord> batch;
  stats::LabelCounts expected_labels;
  stats::Moments expected_confidence;
  for (int i = 0; i < 50; ++i) {
    ResultRecord r;
    r.device_id = i % 2 ? "a" : "b";
    r.model_version = "12";
    r.timestamp = k_t0 + i * 10 * 60'000;  // 50 results over 8 h 20 min
    r.label = i % 5 == 0 ? "crying" : "sleeping";
    r.confidence = 0.5 + 0.01 * i;
    if (r.timestamp < k_t0 + 4 * k_hour) {
      ++expected_labels[r.label];
      expected_confidence.add(r.confidence);
    }
    batch.push_back(r);
  }
  // Two jobs: the split must not matter.
  REQUIRE(insert_results(*store, {batch.begin(), batch.begin() + 20}, k_t0).ok());
  REQUIRE(insert_results(*store, {batch.begin() + 20, batch.end()}, k_t0).ok());
  auto buckets = read_buckets(*store, {"12", k_t0, k_t0 + 3 * k_hour, 1, std::nullopt});
  REQUIRE(buckets.ok());
  stats::LabelCounts labels;
  stats::Moments confidence;
  for (const auto& d : buckets->devices) {
    for (const auto& [label, count] : d.labels.labels()) labels[label] += count;
    confidence += d.confidence;
    CHECK(d.labels.clusters() == 4u);  // one cluster per hour bucket
    CHECK(d.windows == 0);
  }
  CHECK(labels == expected_labels);
  CHECK(confidence.count == expected_confidence.count);
  CHECK(test::close_relative(confidence.sum, expected_confidence.sum, 1e-12));
  CHECK(test::close_relative(confidence.sum_squares, expected_confidence.sum_squares, 1e-12));
  // A retried result (same result_id) is not counted twice.
  ResultRecord retried = batch.front();
  retried.result_id = "r-1";
  REQUIRE(insert_results(*store, {retried}, k_t0).ok());
  REQUIRE(insert_results(*store, {retried}, k_t0).ok());
  auto again = read_buckets(*store, {"12", k_t0, k_t0, 1, std::string("b")});
  REQUIRE(again.ok());
  REQUIRE(again->devices.size() == 1);
  CHECK(again->devices[0].confidence.count == 4u);  // 3 in the first hour + the retried one
}

TEST_CASE("a new reference re-bins the stored windows so every bucket shares it") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "d.db");
  const auto first = test::normal_reference(21, 300, 4);
  const auto second = test::normal_reference(22, 300, 4, 0.5);
  test::save_test_reference(*store, "12", first, k_t0 - k_hour);
  const auto before = make_units(31);
  for (const auto& u : before) test::store_unit(*store, u.device, "12", u.t, u.windows);
  auto old_state = find_binning_state(*store, "12");
  REQUIRE(old_state.ok());

  test::save_test_reference(*store, "12", second, k_t0);
  // Windows after the change are binned with the new reference as they arrive...
  auto after = make_units(32);
  for (auto& u : after) u.t += 6 * k_hour;
  for (const auto& u : after) test::store_unit(*store, u.device, "12", u.t, u.windows);
  auto state = find_binning_state(*store, "12");
  REQUIRE(state.ok());
  CHECK((*state)->epoch == (*old_state)->epoch + 1);
  CHECK((*state)->rebin_pending);
  // ...and the earlier ones from `from` on are re-binned, in small batches.
  const util::UnixMs from = k_t0 + 2 * k_hour;
  auto progress = rebin_model_version(*store, "12", from, 1000, 17);
  REQUIRE(progress.ok());
  CHECK(progress->done);
  CHECK(progress->batches > 3);
  std::vector<StoredUnit> all = before;
  all.insert(all.end(), after.begin(), after.end());
  check_same(read_samples(*store, "12", from, k_t0 + 12 * k_hour),
             bin_at_once(second, all, from, k_t0 + 13 * k_hour));
  // Nothing is re-binned twice.
  auto again = rebin_model_version(*store, "12", from, 1000, 17);
  REQUIRE(again.ok());
  CHECK(again->windows == 0);
  check_same(read_samples(*store, "12", from, k_t0 + 12 * k_hour),
             bin_at_once(second, all, from, k_t0 + 13 * k_hour));
}

TEST_CASE("a version without a reference is binned against the newest one until it has its own") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "d.db");
  const auto old_reference = test::normal_reference(41, 300, 4);
  const auto own = test::normal_reference(42, 300, 4, 1.0);
  const auto ref_12 = test::save_test_reference(*store, "12", old_reference, k_t0 - k_hour);
  const auto units = make_units(43);
  for (const auto& u : units) test::store_unit(*store, u.device, "13", u.t, u.windows);
  auto state = find_binning_state(*store, "13");
  REQUIRE(state.ok());
  CHECK((*state)->reference_id == ref_12);
  check_same(read_samples(*store, "13", k_t0, k_t0 + 5 * k_hour),
             bin_at_once(old_reference, units, k_t0, k_t0 + 6 * k_hour));

  const auto ref_13 = test::save_test_reference(*store, "13", own, k_t0);
  auto switched = ensure_binning(*store, "13", test::k_engine_width);
  REQUIRE(switched.ok());
  CHECK(switched->reference_id == ref_13);
  REQUIRE(rebin_model_version(*store, "13", k_t0, 1000).ok());
  check_same(read_samples(*store, "13", k_t0, k_t0 + 5 * k_hour),
             bin_at_once(own, units, k_t0, k_t0 + 6 * k_hour));
}

TEST_CASE("reading a window touches its own buckets only, however much is stored") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "d.db");
  test::save_test_reference(*store, "12", test::normal_reference(51, 200, 3), k_t0 - k_hour);
  NormalSource source(52);
  // Ten days of one unit per device and hour for 4 devices.
  for (int hour = 0; hour < 240; ++hour) {
    for (int d = 0; d < 4; ++d) {
      test::store_unit(*store, "dev-" + std::to_string(d), "12", k_t0 + hour * k_hour + d,
                       test::normal_unit(source, 2));
    }
  }
  const util::UnixMs now = k_t0 + 240 * k_hour - 1;
  const auto range = drift::evaluation_range(now, std::chrono::hours(24), k_hour);
  auto state = find_binning_state(*store, "12");
  REQUIRE(state.ok());
  auto buckets = read_buckets(
      *store, {"12", range.first_start, range.last_start, (*state)->epoch, std::nullopt});
  REQUIRE(buckets.ok());
  CHECK(buckets->rows_read == 24 * 4);
  std::int64_t windows = 0;
  for (const auto& d : buckets->devices) windows += d.windows;
  CHECK(windows == 24 * 4 * 2);
}
