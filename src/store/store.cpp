#include "driftd/store/store.hpp"

#include "driftd/store/results.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

namespace driftd::store {

namespace {

Status create_parent_directories(const std::filesystem::path& database) {
  const std::filesystem::path parent = database.parent_path();
  if (parent.empty()) return Ok{};
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) {
    return make_error(k_error_unavailable,
                      "cannot create directory " + parent.string() + ": " + ec.message());
  }
  return Ok{};
}

}  // namespace

namespace {

bool has_table(Connection& c, const char* name) {
  SQLite::Statement query(c.db(), "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  query.bind(1, name);
  return query.executeStep();
}

}  // namespace

Result<std::unique_ptr<Store>> Store::open(StoreOptions options, util::UnixMs now) {
  if (options.database.empty()) {
    return make_error(k_error_invalid, "no database path given", "storage.database");
  }
  if (Status dirs = create_parent_directories(options.database); !dirs) return dirs.error();

  const ConnectionSettings settings{options.busy_timeout, options.durability};
  std::unique_ptr<Connection> writer;
  MigrationReport report;
  try {
    writer = std::make_unique<Connection>(options.database, ConnectionRole::writer, settings);
    Result<MigrationReport> migrated = apply_migrations(writer->db(), options.migrations, now);
    if (!migrated) return migrated.error();
    report = std::move(migrated.value());
  } catch (...) {
    Error error = error_from_exception(std::current_exception());
    error.message = "cannot open database " + options.database.string() + ": " + error.message;
    return error;
  }
  return std::unique_ptr<Store>(
      new Store(std::move(options), std::move(report), std::move(writer)));
}

Store::Store(StoreOptions options, MigrationReport report, std::unique_ptr<Connection> writer)
    : m_options(std::move(options)), m_report(std::move(report)) {
  m_readers = std::make_unique<ReadPool>(
      m_options.database, ConnectionSettings{m_options.busy_timeout, m_options.durability},
      m_options.max_readers);
  // The checkpoint connection is opened after migrations, like the readers; without it
  // (it cannot be opened) the writer keeps SQLite's automatic checkpoints.
  std::unique_ptr<Connection> checkpointer;
  try {
    checkpointer = std::make_unique<Connection>(
        m_options.database, ConnectionRole::checkpointer,
        ConnectionSettings{m_options.busy_timeout, m_options.durability});
  } catch (...) {
    checkpointer.reset();
  }
  m_counts_results = has_table(*writer, "meta") && has_table(*writer, "results");
  m_writer = std::make_unique<Writer>(std::move(writer), m_options.writer, std::move(checkpointer));
  // Counts what a crash left uncounted (results.hpp); a failure here is retried by the
  // next ingest or read.
  if (m_counts_results) (void)sync_result_aggregates(*this);
}

Store::~Store() {
  close();
}

void Store::close() {
  if (m_counts_results) (void)sync_result_aggregates(*this);  // the file alone is complete
  m_writer->stop();
  m_readers->close();
}

namespace {

// The bytes free on the filesystem holding `folder`; nullopt when they cannot be measured.
std::optional<std::uintmax_t> free_bytes(const std::filesystem::path& folder) {
  std::error_code ec;
  const std::filesystem::space_info space = std::filesystem::space(folder, ec);
  if (ec) return std::nullopt;
  return space.available;
}

Error full_error(const std::string& what, std::uintmax_t available, std::uintmax_t reserve) {
  return make_error(k_error_unavailable, what + " is full: " + std::to_string(available) +
                                             " bytes free, and driftd stops taking data below " +
                                             std::to_string(reserve / (1024 * 1024)) + " MiB free");
}

}  // namespace

Status check_free_space(const std::filesystem::path& folder, std::uintmax_t reserve,
                        const std::string& what) {
  const auto available = free_bytes(folder);
  if (!available || *available >= reserve) return Ok{};
  return full_error(what, *available, reserve);
}

Status Store::has_room() const {
  using Clock = std::chrono::steady_clock;
  const std::int64_t now = Clock::now().time_since_epoch().count();
  if (now < m_room_until_ns.load(std::memory_order_relaxed)) return Ok{};
  const std::filesystem::path dir = m_options.database.has_parent_path()
                                        ? m_options.database.parent_path()
                                        : std::filesystem::path(".");
  const auto available = free_bytes(dir);
  if (!available) return Ok{};
  if (*available >= k_min_free_bytes + k_room_to_spare) {
    const auto recheck = std::chrono::duration_cast<Clock::duration>(k_room_recheck);
    m_room_until_ns.store(now + recheck.count(), std::memory_order_relaxed);
  }
  if (*available >= k_min_free_bytes) return Ok{};
  return full_error("the database's filesystem (" + dir.string() + ")", *available,
                    k_min_free_bytes);
}

Status Store::is_writable(std::chrono::milliseconds timeout) {
  if (Status room = has_room(); !room) return room;
  auto probe = m_writer->submit([](WriteTxn& txn) -> Status {
    txn.exec(
        "INSERT INTO meta (key, value) VALUES ('ready_probe', '1') "
        "ON CONFLICT (key) DO UPDATE SET value = CAST(value AS INTEGER) + 1");
    return Ok{};
  });
  if (probe.wait_for(timeout) != std::future_status::ready) {
    return make_error(k_error_unavailable, "the database writer did not answer in time");
  }
  return probe.get();
}

}  // namespace driftd::store
