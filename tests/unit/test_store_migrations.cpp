#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <vector>

#include "driftd/store/migrations.hpp"
#include "driftd/store/store.hpp"
#include "support/store_scratch.hpp"

using driftd::store::Migration;
using driftd::store::Store;
using driftd::store::StoreOptions;
using driftd::test::open_store;
using driftd::test::ScratchDir;

namespace {

std::vector<Migration> fake_migrations(int count) {
  std::vector<Migration> all = {
      {1, "0001_first", "CREATE TABLE first (x INTEGER);"},
      {2, "0002_second", "CREATE TABLE second (y INTEGER); INSERT INTO second VALUES (7);"},
  };
  all.resize(static_cast<std::size_t>(count));
  return all;
}

StoreOptions with_migrations(std::vector<Migration> migrations) {
  StoreOptions options;
  options.migrations = std::move(migrations);
  return options;
}

bool has_table(const std::filesystem::path& db, const std::string& table) {
  SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
  SQLite::Statement q(raw, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  q.bind(1, table);
  return q.executeStep();
}

}  // namespace

TEST_CASE("a new database is created in new folders and fully migrated") {
  ScratchDir dir;
  const auto db = dir.path() / "state" / "var" / "driftd.db";
  auto store = open_store(db);
  const auto& report = store->migration_report();
  const auto& known = driftd::store::embedded_migrations();
  REQUIRE_FALSE(known.empty());
  CHECK(known.front().name == "0001_foundation");
  CHECK(report.previous_version == 0);
  CHECK(report.current_version == known.back().version);
  CHECK(report.applied.size() == known.size());
  store->close();
  for (const char* table : {"schema_migrations", "tokens", "devices", "results", "meta"}) {
    CHECK_MESSAGE(has_table(db, table), table);
  }
}

TEST_CASE("reopening a migrated database applies nothing") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  open_store(db)->close();
  auto again = open_store(db);
  CHECK(again->migration_report().applied.empty());
  CHECK(again->migration_report().previous_version == again->migration_report().current_version);
}

TEST_CASE("an older database is upgraded by its pending migrations only") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  open_store(db, with_migrations(fake_migrations(1)))->close();

  auto upgraded = open_store(db, with_migrations(fake_migrations(2)));
  const auto& report = upgraded->migration_report();
  CHECK(report.previous_version == 1);
  CHECK(report.current_version == 2);
  REQUIRE(report.applied.size() == 1);
  CHECK(report.applied[0].version == 2);
  CHECK(report.applied[0].name == "0002_second");
  upgraded->close();

  SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt() == 2);
  CHECK(raw.execAndGet("SELECT name FROM schema_migrations WHERE version = 2").getString() ==
        "0002_second");
  CHECK(raw.execAndGet("SELECT applied_at FROM schema_migrations WHERE version = 2").getInt64() ==
        1'000);
  CHECK(raw.execAndGet("SELECT y FROM second").getInt() == 7);
}

TEST_CASE("a database newer than the binary is refused with a clear message") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  open_store(db, with_migrations(fake_migrations(2)))->close();

  StoreOptions older = with_migrations(fake_migrations(1));
  older.database = db;
  auto opened = Store::open(older, 2'000);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == "schema_too_new");
  CHECK(opened.error().message ==
        "database schema version 2 is newer than this driftd (knows up to 1): "
        "upgrade driftd or restore a backup");
}

TEST_CASE("a failing migration is rolled back, named, and leaves earlier ones applied") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  auto migrations = fake_migrations(1);
  migrations.push_back({2, "0002_broken", "CREATE TABLE half (z INTEGER); CREATE TABLE oops ("});
  StoreOptions options = with_migrations(migrations);
  options.database = db;
  auto opened = Store::open(options, 1'000);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == "migration_failed");
  CHECK(opened.error().message.find("0002_broken") != std::string::npos);
  CHECK(has_table(db, "first"));
  CHECK_FALSE(has_table(db, "half"));
  SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("SELECT MAX(version) FROM schema_migrations").getInt() == 1);
}

TEST_CASE("the database runs in WAL mode") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  auto store = open_store(db);
  SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA journal_mode").getString() == "wal");
}

TEST_CASE("a file that is not a SQLite database is refused, naming the file") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  std::ofstream(db) << std::string(4096, 'x');
  StoreOptions options;
  options.database = db;
  auto opened = Store::open(options, 1'000);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error().code == "storage_unavailable");
  CHECK(opened.error().message.find(db.string()) != std::string::npos);
}
