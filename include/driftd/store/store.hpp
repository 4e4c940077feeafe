#pragma once
// The store: driftd's SQLite database, the only place that touches SQLite.
//
// One file in WAL mode. Opening it creates missing parent directories, applies pending
// migrations (migrations.hpp), then starts the group-commit writer (writer.hpp). Reads go
// through a small pool of read-only connections; all writes go through the writer.
//
// Durability: an acknowledged write (its future resolved) is committed. By default
// (Durability::full, PRAGMA synchronous=FULL) the WAL is synced before the acknowledgement,
// so it survives power loss as well as a killed process. Durability::normal survives a
// killed process only; it is offered for throw-away databases. Because the writer commits
// a whole batch per sync, FULL costs one sync per batch, not per request (docs/storage.md
// has the measurements).
//
// Domain code lives in free functions taking a Store& (tokens.hpp, results.hpp,
// devices.hpp, meta.hpp); each is a write job, a read, or both.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "driftd/store/connection.hpp"
#include "driftd/store/errors.hpp"
#include "driftd/store/migrations.hpp"
#include "driftd/store/read_pool.hpp"
#include "driftd/store/writer.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

struct StoreOptions {
  std::filesystem::path database;  // the SQLite file (storage.database)
  Durability durability = Durability::full;
  std::chrono::milliseconds busy_timeout{5000};  // waits for other processes' locks
  std::size_t max_readers = 8;                   // read connections at most
  WriterLimits writer;
  // The migrations this binary knows; tests inject their own lists.
  std::vector<Migration> migrations = embedded_migrations();
};

class Store {
 public:
  // Opens (creating it and its directories) and migrates the database, then starts the
  // writer. Errors: schema_too_new, migration_failed, storage_unavailable (cannot create,
  // open or lock the file, or WAL mode refused), storage_error.
  static Result<std::unique_ptr<Store>> open(StoreOptions options, util::UnixMs now);

  // close().
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The migrations applied by open() and the schema version before and after.
  const MigrationReport& migration_report() const { return m_report; }

  const std::filesystem::path& path() const { return m_options.database; }

  // The group-commit writer, for write jobs (writer.hpp).
  Writer& writer() { return *m_writer; }
  WriterStats writer_stats() const { return m_writer->stats(); }

  // Runs `fn` (callable as Result<T>(Connection&)) on a read connection; any exception
  // becomes a typed error (errors.hpp). Sees everything committed before the call.
  template <typename Fn>
  auto read(Fn&& fn) -> std::invoke_result_t<Fn&, Connection&> {
    using R = std::invoke_result_t<Fn&, Connection&>;
    try {
      ReadPool::Lease lease = m_readers->acquire();
      return fn(lease.connection());
    } catch (...) {
      return R(error_from_exception(std::current_exception()));
    }
  }

  // Readiness (/readyz): a tiny write through the writer (so a read-only, failing or full
  // database, or a stuck writer, answers storage_unavailable), plus at least
  // k_min_free_bytes free on the database's filesystem. Waits at most `timeout`.
  Status is_writable(std::chrono::milliseconds timeout = std::chrono::seconds(2));

  // The reserve: storage_unavailable, saying how much is free, when the database's
  // filesystem has less than k_min_free_bytes free. Ingest checks it before each write, so
  // a filling disk refuses new data while the last megabytes stay for the daemon's own
  // bookkeeping (retrain steps, evaluations) and SQLite's checkpoints. With more than
  // k_room_to_spare above the reserve, the answer stands for k_room_recheck without asking
  // the filesystem again; closer to the reserve every call asks.
  Status has_room() const;

  // Stops the writer after it has committed every queued job, then closes all
  // connections. Idempotent; the store answers storage_unavailable afterwards.
  void close();

  static constexpr std::uintmax_t k_min_free_bytes = 16u * 1024 * 1024;
  // Far more than driftd writes in k_room_recheck (ingest peaks at a few tens of MB/s).
  static constexpr std::uintmax_t k_room_to_spare = 512u * 1024 * 1024;
  static constexpr std::chrono::milliseconds k_room_recheck{1000};

 private:
  Store(StoreOptions options, MigrationReport report, std::unique_ptr<Connection> writer);

  StoreOptions m_options;
  MigrationReport m_report;
  std::unique_ptr<ReadPool> m_readers;
  bool m_counts_results = false;  // the schema has the result aggregates (results.hpp)
  std::unique_ptr<Writer> m_writer;
  // steady_clock nanoseconds until which has_room() answers yes without asking.
  mutable std::atomic<std::int64_t> m_room_until_ns{0};
};

// storage_unavailable naming `what` when the filesystem holding `folder` has less than
// `reserve` bytes free (Ok when it cannot be measured: the write itself will tell).
Status check_free_space(const std::filesystem::path& folder, std::uintmax_t reserve,
                        const std::string& what);

}  // namespace driftd::store
