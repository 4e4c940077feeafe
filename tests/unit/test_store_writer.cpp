#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <doctest/doctest.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

#include "driftd/store/store.hpp"
#include "support/store_scratch.hpp"

using driftd::Error;
using driftd::Ok;
using driftd::Status;
using driftd::store::StoreOptions;
using driftd::store::Writer;
using driftd::store::WriteTxn;
using driftd::test::open_store;
using driftd::test::ScratchDir;

namespace {

// A schema of its own, so these tests exercise the writer and not the domain tables.
StoreOptions items_schema() {
  StoreOptions options;
  options.migrations = {{1, "0001_items",
                         "CREATE TABLE items (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL,"
                         " seq INTEGER NOT NULL, body BLOB, UNIQUE (thread, seq));"}};
  return options;
}

Status insert_item(WriteTxn& txn, int thread, int seq) {
  SQLite::Statement& insert = txn.prepare("INSERT INTO items (thread, seq) VALUES (?, ?)");
  insert.bind(1, thread);
  insert.bind(2, seq);
  insert.exec();
  return Ok{};
}

int count_items(const std::filesystem::path& db, const std::string& where = "1") {
  SQLite::Database raw(db.string(), SQLite::OPEN_READONLY);
  return raw.execAndGet("SELECT COUNT(*) FROM items WHERE " + where).getInt();
}

// Holds the writer inside a job until release(): jobs submitted meanwhile queue up and
// run together in the next batch.
class WriterGate {
 public:
  explicit WriterGate(Writer& writer) {
    auto opened = m_opened.get_future();
    m_done = writer.submit([this](WriteTxn&) -> Status {
      m_opened.set_value();
      m_release.get_future().wait();
      return Ok{};
    });
    opened.wait();
  }
  // Lets the gate job finish; returns its outcome, which is its batch's (the jobs queued
  // meanwhile join the gate's transaction).
  Status release() {
    m_release.set_value();
    return m_done.get();
  }

 private:
  std::promise<void> m_opened;
  std::promise<void> m_release;
  std::future<Status> m_done;
};

}  // namespace

TEST_CASE("concurrent jobs are all committed, in far fewer transactions than jobs") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  constexpr int k_threads = 8;
  constexpr int k_jobs = 500;
  auto store = open_store(db, items_schema());

  std::vector<std::thread> threads;
  std::vector<int> acknowledged(k_threads, 0);
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < k_jobs; ++i) {
        Status done = store->writer().run([t, i](WriteTxn& txn) { return insert_item(txn, t, i); });
        if (done.ok()) ++acknowledged[static_cast<std::size_t>(t)];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto stats = store->writer_stats();
  store->close();

  for (int t = 0; t < k_threads; ++t) CHECK(acknowledged[static_cast<std::size_t>(t)] == k_jobs);
  CHECK(stats.jobs_committed == k_threads * k_jobs);
  CHECK(stats.batches_committed < k_threads * k_jobs / 2);
  CHECK(stats.largest_batch_jobs > 1);
  MESSAGE("batches: ", stats.batches_committed, ", largest: ", stats.largest_batch_jobs);
  CHECK(count_items(db) == k_threads * k_jobs);
}

TEST_CASE("a failing job is rolled back alone while its batch-mates commit") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  auto store = open_store(db, items_schema());
  auto& writer = store->writer();
  REQUIRE(writer.run([](WriteTxn& txn) { return insert_item(txn, 9, 9); }).ok());

  WriterGate gate(writer);
  auto first = writer.submit([](WriteTxn& txn) { return insert_item(txn, 1, 1); });
  auto refused = writer.submit([](WriteTxn& txn) -> Status {
    (void)insert_item(txn, 2, 2);
    return driftd::make_error("invalid_argument", "refused after writing");
  });
  auto conflicting = writer.submit([](WriteTxn& txn) {
    (void)insert_item(txn, 3, 3);
    return insert_item(txn, 9, 9);  // UNIQUE (thread, seq) violated
  });
  auto last = writer.submit([](WriteTxn& txn) { return insert_item(txn, 4, 4); });
  CHECK(gate.release().ok());

  CHECK(first.get().ok());
  Status refused_status = refused.get();
  REQUIRE_FALSE(refused_status.ok());
  CHECK(refused_status.error().code == "invalid_argument");
  Status conflict_status = conflicting.get();
  REQUIRE_FALSE(conflict_status.ok());
  CHECK(conflict_status.error().code == "conflict");
  CHECK(last.get().ok());

  const auto stats = store->writer_stats();
  CHECK(stats.last_batch_jobs == 5);  // the gate and the four jobs
  CHECK(stats.jobs_rejected == 2);
  CHECK(stats.batches_failed == 0);
  store->close();
  CHECK(count_items(db, "thread IN (1, 4)") == 2);
  CHECK(count_items(db, "thread IN (2, 3)") == 0);
}

TEST_CASE("a full database fails the whole batch as unavailable and the writer recovers") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  auto store = open_store(db, items_schema());
  auto& writer = store->writer();

  // Cap the file at its current size: the next write that needs a new page hits SQLITE_FULL.
  REQUIRE(writer
              .run([](WriteTxn& txn) -> Status {
                SQLite::Statement& pages = txn.prepare("PRAGMA page_count");
                pages.executeStep();
                txn.exec("PRAGMA max_page_count = " +
                         std::to_string(pages.getColumn(0).getInt64()));
                return Ok{};
              })
              .ok());
  WriterGate gate(writer);
  auto small = writer.submit([](WriteTxn& txn) { return insert_item(txn, 1, 1); });
  auto big = writer.submit([](WriteTxn& txn) -> Status {
    SQLite::Statement& insert =
        txn.prepare("INSERT INTO items (thread, seq, body) VALUES (2, 2, zeroblob(1000000))");
    insert.exec();
    return Ok{};
  });
  Status gate_status = gate.release();

  Status small_status = small.get();
  Status big_status = big.get();
  REQUIRE_FALSE(gate_status.ok());  // wrote nothing, but shared the failed transaction
  REQUIRE_FALSE(small_status.ok());
  REQUIRE_FALSE(big_status.ok());
  CHECK(small_status.error().code == "storage_unavailable");
  CHECK(big_status.error().code == "storage_unavailable");
  CHECK(gate_status.error().code == "storage_unavailable");
  CHECK(store->writer_stats().batches_failed == 1);

  REQUIRE(writer
              .run([](WriteTxn& txn) -> Status {
                txn.exec("PRAGMA max_page_count = 1073741823");
                return Ok{};
              })
              .ok());
  CHECK(writer.run([](WriteTxn& txn) { return insert_item(txn, 5, 5); }).ok());
  store->close();
  CHECK(count_items(db, "thread = 5") == 1);
  CHECK(count_items(db, "thread IN (1, 2)") == 0);
}

TEST_CASE("closing commits every queued job and refuses later ones") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  auto store = open_store(db, items_schema());
  std::vector<std::future<Status>> queued;
  for (int i = 0; i < 50; ++i) {
    queued.push_back(store->writer().submit([i](WriteTxn& txn) { return insert_item(txn, 0, i); }));
  }
  store->close();
  for (auto& f : queued) CHECK(f.get().ok());
  Status late = store->writer().run([](WriteTxn& txn) { return insert_item(txn, 1, 0); });
  REQUIRE_FALSE(late.ok());
  CHECK(late.error().code == "storage_unavailable");
  CHECK(count_items(db) == 50);
}

TEST_CASE("a job that waits on the writer is refused instead of deadlocking") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db", items_schema());
  auto& writer = store->writer();
  Status inner = Ok{};
  Status outer = writer.run([&](WriteTxn&) -> Status {
    inner = writer.run([](WriteTxn& txn) { return insert_item(txn, 1, 1); });
    return Ok{};
  });
  CHECK(outer.ok());
  REQUIRE_FALSE(inner.ok());
  CHECK(inner.error().code == "storage_error");
}

TEST_CASE("a healthy store is writable and a closed one is not") {
  ScratchDir dir;
  auto store = open_store(dir.path() / "driftd.db");
  CHECK(store->is_writable().ok());
  CHECK(store->is_writable().ok());
  store->close();
  Status closed = store->is_writable();
  REQUIRE_FALSE(closed.ok());
  CHECK(closed.error().code == "storage_unavailable");
}

TEST_CASE("checkpoints run off the writer's thread and keep the WAL from growing") {
  ScratchDir dir;
  const auto db = dir.path() / "driftd.db";
  StoreOptions options = items_schema();
  options.durability = driftd::store::Durability::normal;
  options.writer.checkpoint_frames = 50;
  options.writer.checkpoint_inline_frames = 400;
  auto store = open_store(db, options);

  const std::string body(3000, 'x');  // about one page a row
  constexpr int k_jobs = 2000;
  for (int i = 0; i < k_jobs; ++i) {
    Status done = store->writer().run([&, i](WriteTxn& txn) -> Status {
      SQLite::Statement& insert =
          txn.prepare("INSERT INTO items (thread, seq, body) VALUES (0, ?, ?)");
      insert.bind(1, i);
      insert.bind(2, body.data(), static_cast<int>(body.size()));
      insert.exec();
      return Ok{};
    });
    REQUIRE(done.ok());
  }
  const auto stats = store->writer_stats();
  std::error_code ec;
  const auto wal_bytes = std::filesystem::file_size(db.string() + "-wal", ec);
  store->close();

  MESSAGE("background checkpoints: ", stats.checkpoints, ", failed: ", stats.checkpoints_failed,
          ", WAL bytes: ", wal_bytes);
  CHECK(stats.checkpoints > 0);
  // Asked for once per 50 new frames (a job writes three or four: its row's page and the
  // pages above it), not after every commit past the mark as before (about 700 here):
  // each checkpoint syncs the WAL and the database file.
  CHECK(stats.checkpoints + stats.checkpoints_failed <= k_jobs * 4 / 50);
  // About 7000 pages written; without checkpoints the WAL would hold all of them (over
  // 28 MiB). It starts over once it passes 400 pages (1.6 MiB), or a few commits later
  // when the writer's own checkpoint finds the thread's running (busy: it tries again at
  // the next commit), which on a loaded machine took it to 820 pages.
  CHECK(wal_bytes < 8u * 1024 * 1024);
  CHECK(count_items(db) == k_jobs);
}
