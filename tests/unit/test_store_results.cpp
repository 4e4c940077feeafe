#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "driftd/store/devices.hpp"
#include "driftd/store/results.hpp"
#include "driftd/store/store.hpp"
#include "support/store_scratch.hpp"

using driftd::Ok;
using driftd::Status;
using driftd::store::delete_results_before;
using driftd::store::DeviceSummary;
using driftd::store::insert_results;
using driftd::store::latest_model_version;
using driftd::store::list_devices;
using driftd::store::ResultRecord;
using driftd::store::Store;
using driftd::store::WriteTxn;
using driftd::test::open_store;
using driftd::test::ScratchDir;

namespace {

constexpr std::chrono::milliseconds k_day = std::chrono::hours(24);

ResultRecord result(std::string device, std::int64_t timestamp, std::string version = "12",
                    std::optional<std::string> result_id = std::nullopt) {
  ResultRecord r;
  r.device_id = std::move(device);
  r.result_id = std::move(result_id);
  r.model_version = std::move(version);
  r.timestamp = timestamp;
  r.label = "crying";
  r.confidence = 0.93;
  r.scores = {{"crying", 0.93}, {"sleeping", 0.07}};
  return r;
}

int count_results(Store& store, const std::string& where = "1") {
  return store
      .read([&](driftd::store::Connection& c) -> driftd::Result<int> {
        return c.db().execAndGet("SELECT COUNT(*) FROM results WHERE " + where).getInt();
      })
      .value();
}

DeviceSummary device(Store& store, const std::string& id, std::int64_t now = 0) {
  auto devices = list_devices(store, now, k_day);
  REQUIRE(devices.ok());
  for (const auto& d : *devices) {
    if (d.device_id == id) return d;
  }
  FAIL("no device " << id);
  return {};
}

}  // namespace

TEST_CASE("a batch of results is stored and its devices updated") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  auto outcome = insert_results(*store,
                                {result("a", 2'000, "12"), result("a", 5'000, "13"),
                                 result("a", 3'000, "12"), result("b", 1'000, "7")},
                                9'000);
  REQUIRE(outcome.ok());
  CHECK(outcome->accepted == 4);
  CHECK(outcome->duplicates == 0);
  CHECK(count_results(*store) == 4);

  const DeviceSummary a = device(*store, "a");
  CHECK(a.results == 3);
  CHECK(a.clips == 0);
  CHECK(a.first_seen == 2'000);
  CHECK(a.last_seen == 5'000);
  CHECK(a.model_version == "13");  // the latest timestamp's, not the last in the batch
  CHECK(device(*store, "b").results == 1);

  auto row = store->read([](driftd::store::Connection& c) -> driftd::Result<std::string> {
    return c.db()
        .execAndGet("SELECT received_ms || ' ' || scores FROM results WHERE timestamp_ms = 5000")
        .getString();
  });
  CHECK(row.value() == R"(9000 {"crying":0.93,"sleeping":0.07})");
}

TEST_CASE("duplicates are acknowledged but neither stored nor counted twice") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  auto first = insert_results(*store,
                              {result("a", 1'000, "12", "r1"), result("a", 2'000, "12", "r2"),
                               result("a", 2'500, "12", "r2"), result("a", 3'000, "12")},
                              10'000);
  REQUIRE(first.ok());
  CHECK(first->accepted == 3);
  CHECK(first->duplicates == 1);  // r2 twice in one batch

  auto retry = insert_results(*store,
                              {result("a", 1'000, "12", "r1"), result("a", 4'000, "12", "r3"),
                               result("b", 1'000, "12", "r1"), result("a", 3'000, "12")},
                              11'000);
  REQUIRE(retry.ok());
  CHECK(retry->accepted == 3);  // r3, b's r1, and the one without a result_id
  CHECK(retry->duplicates == 1);
  CHECK(count_results(*store) == 6);
  CHECK(count_results(*store, "device_id = 'a' AND result_id = 'r2'") == 1);
  CHECK(device(*store, "a").results == 5);
  CHECK(device(*store, "b").results == 1);
}

TEST_CASE("an invalid record refuses the whole batch, naming its position") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  std::vector<ResultRecord> batch = {result("a", 1'000), result("a", 2'000), result("a", 3'000)};
  batch[2].confidence = 1.5;
  auto outcome = insert_results(*store, batch, 10'000);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().code == "invalid_argument");
  CHECK(outcome.error().field == "confidence");
  CHECK(outcome.error().index == 2);
  CHECK(count_results(*store) == 0);
  CHECK(list_devices(*store, 0, k_day)->empty());
}

TEST_CASE("a batch the database refuses midway stores nothing at all") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  REQUIRE(insert_results(*store, {result("a", 1'000)}, 5'000).ok());
  REQUIRE(store->writer()
              .run([](WriteTxn& txn) -> Status {
                txn.exec(
                    "CREATE TRIGGER poison BEFORE INSERT ON results WHEN NEW.label = 'poison' "
                    "BEGIN SELECT RAISE(ABORT, 'poisoned'); END");
                return Ok{};
              })
              .ok());
  std::vector<ResultRecord> batch = {result("a", 2'000), result("b", 2'000), result("a", 3'000)};
  batch[2].label = "poison";
  auto outcome = insert_results(*store, batch, 10'000);
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.error().code == "conflict");
  CHECK(count_results(*store) == 1);
  CHECK(device(*store, "a").results == 1);
  CHECK(device(*store, "a").last_seen == 1'000);
  CHECK(list_devices(*store, 0, k_day)->size() == 1);
}

TEST_CASE("an older result does not change a device's model version or last seen") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  REQUIRE(insert_results(*store, {result("a", 5'000, "2")}, 6'000).ok());
  REQUIRE(insert_results(*store, {result("a", 1'000, "1")}, 7'000).ok());
  DeviceSummary a = device(*store, "a");
  CHECK(a.model_version == "2");
  CHECK(a.last_seen == 5'000);
  CHECK(a.first_seen == 1'000);
  REQUIRE(insert_results(*store, {result("a", 5'000, "3")}, 8'000).ok());
  CHECK(device(*store, "a").model_version == "3");  // same time: the newer report wins
}

TEST_CASE("a device is active within the window and stale after it") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  const std::int64_t seen = 1'000'000'000;
  REQUIRE(insert_results(*store, {result("a", seen)}, seen).ok());
  CHECK(device(*store, "a", seen + k_day.count()).status == "active");
  CHECK(device(*store, "a", seen + k_day.count() + 1).status == "stale");
}

TEST_CASE("the latest model version is the most recently seen device's") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  CHECK_FALSE(latest_model_version(*store)->has_value());
  REQUIRE(insert_results(*store, {result("a", 2'000, "5"), result("b", 1'000, "4")}, 3'000).ok());
  CHECK(latest_model_version(*store).value() == "5");
  REQUIRE(insert_results(*store, {result("b", 9'000, "6")}, 9'000).ok());
  CHECK(latest_model_version(*store).value() == "6");
}

TEST_CASE("retention deletes only results older than the cutoff and keeps device counts") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  std::vector<ResultRecord> batch;
  for (int i = 0; i < 25; ++i) batch.push_back(result("a", i * 1'000));
  REQUIRE(insert_results(*store, batch, 30'000).ok());

  auto deleted = delete_results_before(*store, 10'000, 4);
  REQUIRE(deleted.ok());
  CHECK(deleted.value() == 10);
  CHECK(count_results(*store) == 15);
  CHECK(count_results(*store, "timestamp_ms < 10000") == 0);
  CHECK(device(*store, "a").results == 25);
  CHECK(delete_results_before(*store, 10'000, 4).value() == 0);

  // Everything past retention: the newest result stays, so ids never start over.
  CHECK(delete_results_before(*store, 1'000'000, 4).value() == 14);
  CHECK(count_results(*store) == 1);
  CHECK(count_results(*store, "timestamp_ms = 24000") == 1);
  REQUIRE(insert_results(*store, {result("a", 40'000)}, 41'000).ok());
  CHECK(count_results(*store, "id = 26") == 1);  // after the kept one; an empty table restarts at 1
  CHECK(device(*store, "a").results == 26);
}

TEST_CASE("an empty batch is accepted and stores nothing") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  auto outcome = insert_results(*store, {}, 1'000);
  REQUIRE(outcome.ok());
  CHECK(outcome->accepted == 0);
  CHECK(outcome->duplicates == 0);
}

TEST_CASE("stored results survive closing and reopening the database") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  {
    auto store = open_store(db);
    REQUIRE(insert_results(*store, {result("a", 1'000), result("a", 2'000)}, 3'000).ok());
  }
  auto reopened = open_store(db);
  CHECK(count_results(*reopened) == 2);
  CHECK(device(*reopened, "a").results == 2);
}

TEST_CASE("results keep only the indexes their queries use, and both queries use one") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  // The first column (or, for a plan, the detail column) of every row, joined by ';'.
  auto rows = [&](const std::string& sql, int column) {
    return store
        ->read([&](driftd::store::Connection& c) -> driftd::Result<std::string> {
          SQLite::Statement q(c.db(), sql);
          std::string out;
          while (q.executeStep()) out += q.getColumn(column).getString() + ";";
          return out;
        })
        .value();
  };
  auto plan = [&](const std::string& sql) { return rows("EXPLAIN QUERY PLAN " + sql, 3); };
  // Every index on results costs a B-tree entry per stored result.
  CHECK(rows("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'results' "
             "AND sql IS NOT NULL ORDER BY name",
             0) == "results_by_time;results_device_result_id;");
  // The duplicate check of insert_results and the retention of delete_results_before.
  CHECK(plan("SELECT 1 FROM results WHERE device_id = 'a' AND result_id = 'r1'")
            .find("USING COVERING INDEX results_device_result_id") != std::string::npos);
  CHECK(plan("SELECT id FROM results WHERE timestamp_ms < 5 LIMIT 10")
            .find("USING COVERING INDEX results_by_time") != std::string::npos);
}

TEST_CASE("results a crash left out of the aggregates are counted once, at the next open") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  {
    auto store = open_store(db);
    REQUIRE(insert_results(*store, {result("a", 1'000, "12", "r1")}, 2'000).ok());
  }
  const auto raw_int = [&](const std::string& sql) {
    SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
    return raw.execAndGet(sql).getInt64();
  };
  REQUIRE(raw_int("SELECT results_count FROM devices WHERE device_id = 'a'") == 1);
  // What a crash between a result's commit and the next sync leaves: the row, not its
  // counts.
  {
    SQLite::Database raw(db.string(), SQLite::OPEN_READWRITE);
    raw.exec(
        "INSERT INTO results (device_id, result_id, model_version, timestamp_ms, received_ms, "
        "label, confidence) VALUES ('a', 'r2', '13', 5000, 5000, 'sleeping', 0.5)");
  }
  CHECK(raw_int("SELECT results_count FROM devices WHERE device_id = 'a'") == 1);
  for (int reopen = 0; reopen < 2; ++reopen) {
    auto store = open_store(db);
    // Counted by the open itself (read straight from the file, no read of the store's).
    CHECK(raw_int("SELECT results_count FROM devices WHERE device_id = 'a'") == 2);
    CHECK(raw_int("SELECT last_seen FROM devices WHERE device_id = 'a'") == 5'000);
    CHECK(raw_int("SELECT sum(results) FROM drift_buckets") == 2);
    CHECK(raw_int("SELECT CAST(value AS INTEGER) FROM meta "
                  "WHERE key = 'results_aggregated_through'") == 2);
    CHECK(device(*store, "a").model_version == "13");
    CHECK(device(*store, "a").results == 2);
  }
}

TEST_CASE("every acknowledged result is in the devices' counters the moment it is read") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  for (int i = 0; i < 30; ++i) {
    REQUIRE(insert_results(*store, {result("d" + std::to_string(i % 3), 1'000 + i)}, 2'000).ok());
    CHECK(device(*store, "d" + std::to_string(i % 3)).results == i / 3 + 1);
  }
  CHECK(latest_model_version(*store).value() == "12");
}

TEST_CASE("a database from before the aggregates' mark keeps its counts on upgrade") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  {
    // Schema version 6: every result was counted in its own ingest job.
    driftd::store::StoreOptions v6;
    v6.migrations.resize(6);
    auto store = open_store(db, v6);
    SQLite::Database raw(db.string(), SQLite::OPEN_READWRITE);
    raw.exec(
        "INSERT INTO devices (device_id, first_seen, last_seen, model_version, results_count, "
        "clips_count) VALUES ('old', 1000, 2000, '11', 2, 0);"
        "INSERT INTO results (device_id, model_version, timestamp_ms, received_ms, label, "
        "confidence) VALUES ('old', '11', 1000, 1000, 'a', 0.5), ('old', '11', 2000, 2000, 'a', "
        "0.5);");
  }
  auto store = open_store(db);
  CHECK(store->migration_report().previous_version == 6);
  CHECK(store->migration_report().current_version == 7);
  CHECK(device(*store, "old").results == 2);
  REQUIRE(insert_results(*store, {result("old", 3'000)}, 4'000).ok());
  CHECK(device(*store, "old").results == 3);
}
