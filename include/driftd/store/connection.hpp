#pragma once
// One SQLite connection with a cache of prepared statements, and the view of it a write
// job gets. Store-internal: only src/store/*.cpp (and store tests) use these types;
// the other modules call the domain functions (tokens.hpp, results.hpp, devices.hpp...).
// SQLiteCpp types are only forward-declared here; include <SQLiteCpp/...> in the .cpp.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <typeindex>
#include <unordered_map>
#include <vector>

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace driftd::store {

// How the writer's commits reach the disk (PRAGMA synchronous in WAL mode):
// `full` syncs the WAL on every commit, so a commit survives power loss; `normal` syncs only
// at checkpoints, so a commit survives a killed process but the last ones may be lost on
// power loss. Group commit amortises the sync over a whole batch (store.hpp).
enum class Durability { full, normal };

enum class ConnectionRole {
  writer,  // creates the file, sets WAL mode; the one connection that writes
  reader,  // PRAGMA query_only: any write through it fails
  // Copies the WAL back into the database file (the writer's background checkpoints,
  // writer.hpp); runs no statement. Same synchronous setting as the writer.
  checkpointer,
};

struct ConnectionSettings {
  std::chrono::milliseconds busy_timeout{5000};
  Durability durability = Durability::full;
};

class Connection {
 public:
  // Opens `path` (the writer creates it) and applies WAL mode, synchronous, foreign_keys
  // and busy_timeout. Throws SQLite::Exception or std::runtime_error on failure.
  Connection(const std::filesystem::path& path, ConnectionRole role,
             const ConnectionSettings& settings);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The cached prepared statement for `sql`, reset and with its bindings cleared. Valid
  // for the life of the connection; reset again by release_statements().
  SQLite::Statement& prepare(std::string_view sql);

  // Runs one or more statements that return no rows.
  void exec(std::string_view sql);

  // Runs one statement that returns no rows through a prepared statement kept with the
  // connection (transaction control run over and over: BEGIN, SAVEPOINT, COMMIT...), so
  // its text is parsed once. Throws as exec() does.
  void exec_prepared(std::string_view sql);

  // Rows changed by the last INSERT/UPDATE/DELETE, and the rowid of the last INSERT.
  std::int64_t changes() const;
  std::int64_t last_insert_id() const;

  // True while a transaction is open on this connection.
  bool in_transaction() const;

  // Why the database's folder takes no writes, as the system says it ("Read-only file
  // system", "Permission denied"), or "" when it does: creates and removes a probe file
  // next to the database. For explaining SQLite's bare "disk I/O error".
  std::string folder_write_error() const;

  // Resets every statement prepared since the last call, ending the implicit read
  // transaction a half-read SELECT would otherwise keep open. Never throws.
  void release_statements() noexcept;

  SQLite::Database& db() { return *m_db; }

  // State a store domain keeps with this connection between uses (e.g. the drift engine's
  // cache of references, drift_binning.hpp): one default-constructed T per connection,
  // made on first use and destroyed with the connection. Only the connection's current
  // user touches it, like the connection itself.
  template <typename T>
  T& attachment() {
    std::shared_ptr<void>& slot = m_attachments[std::type_index(typeid(T))];
    if (!slot) slot = std::make_shared<T>();
    return *static_cast<T*>(slot.get());
  }

 private:
  std::unordered_map<std::type_index, std::shared_ptr<void>> m_attachments;
  std::unique_ptr<SQLite::Database> m_db;
  // Looked up by the caller's string_view: no copy of the SQL text per prepare().
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept {
      return std::hash<std::string_view>{}(sql);
    }
  };
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>, SqlHash, std::equal_to<>>
      m_statements;
  std::vector<SQLite::Statement*> m_in_use;
};

// What a write job runs on: the writer's connection, inside the batch transaction and the
// job's own SAVEPOINT. A job must not BEGIN, COMMIT, ROLLBACK or RELEASE itself, and must
// never wait on the writer (it runs on the writer's thread).
class WriteTxn {
 public:
  explicit WriteTxn(Connection& connection) : m_connection(connection) {}

  SQLite::Statement& prepare(std::string_view sql) { return m_connection.prepare(sql); }
  void exec(std::string_view sql) { m_connection.exec(sql); }
  std::int64_t changes() const { return m_connection.changes(); }
  std::int64_t last_insert_id() const { return m_connection.last_insert_id(); }
  Connection& connection() { return m_connection; }

 private:
  Connection& m_connection;
};

}  // namespace driftd::store
