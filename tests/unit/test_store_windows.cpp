// Per-window drift data in a real SQLite database: the one write entry point, the reads,
// the storage form, and device-computed windows arriving with results.
#include <SQLiteCpp/Database.h>
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "driftd/store/devices.hpp"
#include "driftd/store/results.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/windows.hpp"
#include "support/store_scratch.hpp"

using namespace driftd;
using namespace driftd::store;
using driftd::test::open_store;
using driftd::test::ScratchDir;

namespace {

WindowBatch device_batch(const std::string& device, const std::string& version,
                         std::vector<util::UnixMs> times) {
  WindowBatch batch{device, version, WindowSource::device, std::nullopt, {}};
  for (util::UnixMs t : times) {
    batch.windows.push_back({t, {static_cast<double>(t) / 1000.0, -1.5, -40.0}});
  }
  return batch;
}

// Records `batch` in its own job, creating its device first.
Status record(Store& store, const WindowBatch& batch) {
  return store.writer().run([&](WriteTxn& txn) -> Status {
    record_device_activity(txn, {batch.device_id, batch.model_version, 0, 0, 0, 0});
    return record_windows(txn, batch);
  });
}

std::int64_t window_rows(Store& store) {
  return store
      .read([](Connection& c) -> Result<std::int64_t> {
        return c.db().execAndGet("SELECT COUNT(*) FROM window_features").getInt64();
      })
      .value();
}

ResultRecord result_with_features(std::string id, std::vector<std::vector<double>> features) {
  ResultRecord r;
  r.device_id = "nursery-04";
  r.result_id = std::move(id);
  r.model_version = "12";
  r.timestamp = 5'000;
  r.label = "crying";
  r.confidence = 0.9;
  r.feature_windows = std::move(features);
  return r;
}

}  // namespace

TEST_CASE("windows are read back by model version, device and time range, in time order") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  REQUIRE(record(*store, device_batch("a", "12", {3'000, 1'000, 2'000})).ok());
  REQUIRE(record(*store, device_batch("b", "12", {1'500})).ok());
  REQUIRE(record(*store, device_batch("a", "13", {1'000})).ok());

  auto all = read_windows(*store, {"12", std::nullopt, 0, 10'000});
  REQUIRE(all.ok());
  REQUIRE(all->size() == 4);
  CHECK((*all)[0].timestamp == 1'000);
  CHECK((*all)[1].device_id == "b");
  CHECK((*all)[3].timestamp == 3'000);
  CHECK((*all)[3].values == std::vector<double>{3.0, -1.5, -40.0});
  CHECK((*all)[0].source == WindowSource::device);
  CHECK_FALSE((*all)[0].clip_id.has_value());

  CHECK(read_windows(*store, {"12", std::string("a"), 0, 10'000})->size() == 3);
  CHECK(read_windows(*store, {"12", std::nullopt, 1'500, 3'000})->size() == 2);  // [from, to)
  CHECK(read_windows(*store, {"13", std::string("b"), 0, 10'000})->empty());

  std::size_t visited = 0;
  REQUIRE(for_each_window(*store, {"12", std::nullopt, 0, 10'000}, [&](const StoredWindow&) {
            ++visited;
          }).ok());
  CHECK(visited == 4);
}

TEST_CASE("a batch with uneven, empty or non-finite windows is refused and writes nothing") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  WindowBatch uneven = device_batch("a", "12", {1'000, 2'000, 3'000});
  uneven.windows[2].values.pop_back();
  auto refused = record(*store, uneven);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == "invalid_argument");
  CHECK(refused.error().index == 2);

  WindowBatch not_finite = device_batch("a", "12", {1'000, 2'000});
  not_finite.windows[1].values[0] = std::numeric_limits<double>::quiet_NaN();
  CHECK(record(*store, not_finite).error().index == 1);

  WindowBatch empty_vector = device_batch("a", "12", {1'000});
  empty_vector.windows[0].values.clear();
  CHECK_FALSE(record(*store, empty_vector).ok());

  WindowBatch clip_without_id = device_batch("a", "12", {1'000});
  clip_without_id.source = WindowSource::clip;
  CHECK(record(*store, clip_without_id).error().field == "clip_id");

  WindowBatch device_with_clip = device_batch("a", "12", {1'000});
  device_with_clip.clip_id = "abc";
  CHECK_FALSE(record(*store, device_with_clip).ok());

  CHECK(window_rows(*store) == 0);
  CHECK(record(*store, device_batch("a", "12", {})).ok());  // empty: nothing to do
  CHECK(window_rows(*store) == 0);
}

TEST_CASE("feature vectors are stored as little-endian float64 and read back exactly") {
  const std::string blob = encode_feature_blob({1.0, -0.1});
  REQUIRE(blob.size() == 16);
  CHECK(static_cast<unsigned char>(blob[6]) == 0xF0);  // 1.0 = 0x3FF0000000000000
  CHECK(static_cast<unsigned char>(blob[7]) == 0x3F);
  CHECK(static_cast<unsigned char>(blob[0]) == 0x00);
  CHECK(decode_feature_blob(blob) == std::vector<double>{1.0, -0.1});
  CHECK_FALSE(decode_feature_blob("1234567").has_value());
  CHECK_FALSE(decode_feature_blob("").has_value());
  const std::vector<double> awkward = {5e-324, -0.0, 1.7976931348623157e308};
  CHECK(decode_feature_blob(encode_feature_blob(awkward)) == awkward);
}

TEST_CASE("results carrying device features store them as device windows in the same job") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  auto stored = insert_results(
      *store, {result_with_features("r1", {{1, 2, 3}, {4, 5, 6}}), result_with_features("r2", {})},
      9'000);
  REQUIRE(stored.ok());
  CHECK(stored->accepted == 2);
  auto windows = read_windows(*store, {"12", std::string("nursery-04"), 0, 10'000});
  REQUIRE(windows->size() == 2);
  CHECK((*windows)[0].timestamp == 5'000);
  CHECK((*windows)[1].values == std::vector<double>{4, 5, 6});
  CHECK((*windows)[1].source == WindowSource::device);

  // A retried result is a duplicate: its windows are not stored again.
  auto retry = insert_results(*store, {result_with_features("r1", {{1, 2, 3}, {4, 5, 6}})}, 9'500);
  CHECK(retry->duplicates == 1);
  CHECK(window_rows(*store) == 2);
}

TEST_CASE("a result batch with one bad feature vector stores no result and no window") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  auto refused = insert_results(
      *store,
      {result_with_features("r1", {{1, 2, 3}}),
       result_with_features("r2", {{1, 2, 3}, {4, std::numeric_limits<double>::infinity(), 6}})},
      9'000);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().field == "features");
  CHECK(refused.error().index == 1);
  CHECK(window_rows(*store) == 0);
  CHECK(store
            ->read([](Connection& c) -> Result<std::int64_t> {
              return c.db().execAndGet("SELECT COUNT(*) FROM results").getInt64();
            })
            .value() == 0);
  CHECK(list_devices(*store, 0, std::chrono::hours(1))->empty());
}

TEST_CASE("retention deletes old windows of every model version but never the newest one") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  REQUIRE(record(*store, device_batch("a", "11", {1'000, 2'000, 3'000, 9'000})).ok());
  REQUIRE(record(*store, device_batch("b", "12", {1'500, 2'500, 9'500})).ok());
  // Two at a time: several jobs per model version.
  auto deleted = delete_windows_before(*store, 5'000, 2);
  REQUIRE(deleted.ok());
  CHECK(deleted.value() == 5);
  CHECK(window_rows(*store) == 2);
  CHECK(read_windows(*store, {"11", std::nullopt, 0, 100'000}).value().size() == 1);
  CHECK(read_windows(*store, {"12", std::nullopt, 0, 100'000}).value().size() == 1);
  CHECK(delete_windows_before(*store, 5'000, 2).value() == 0);

  // Everything is old now, yet the newest window stays and new ids keep growing.
  const auto max_id = [&] {
    return store
        ->read([](Connection& c) -> Result<std::int64_t> {
          return c.db().execAndGet("SELECT max(id) FROM window_features").getInt64();
        })
        .value();
  };
  const std::int64_t newest = max_id();
  CHECK(delete_windows_before(*store, 50'000).value() == 1);
  CHECK(window_rows(*store) == 1);
  CHECK(max_id() == newest);
  REQUIRE(record(*store, device_batch("a", "11", {60'000})).ok());
  CHECK(max_id() == newest + 1);
}
