#include "driftd/store/connection.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "driftd/util/secrets.hpp"

namespace driftd::store {

namespace {

// The WAL is truncated back to this size after a checkpoint that emptied it.
constexpr std::int64_t k_journal_size_limit = 64LL * 1024 * 1024;

std::string pragma_text(SQLite::Database& db, const std::string& pragma) {
  SQLite::Statement query(db, pragma);
  return query.executeStep() ? query.getColumn(0).getString() : std::string();
}

}  // namespace

Connection::Connection(const std::filesystem::path& path, ConnectionRole role,
                       const ConnectionSettings& settings) {
  const int flags = role == ConnectionRole::writer
                        ? SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX
                        : SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX;
  m_db = std::make_unique<SQLite::Database>(path.string(), flags,
                                            static_cast<int>(settings.busy_timeout.count()));
  if (role == ConnectionRole::writer) {
    if (pragma_text(*m_db, "PRAGMA journal_mode = WAL") != "wal") {
      throw std::runtime_error("the database cannot use WAL mode (journal_mode stays " +
                               pragma_text(*m_db, "PRAGMA journal_mode") + ")");
    }
    m_db->exec(settings.durability == Durability::full ? "PRAGMA synchronous = FULL"
                                                       : "PRAGMA synchronous = NORMAL");
    m_db->exec("PRAGMA journal_size_limit = " + std::to_string(k_journal_size_limit));
  } else if (role == ConnectionRole::checkpointer) {
    m_db->exec(settings.durability == Durability::full ? "PRAGMA synchronous = FULL"
                                                       : "PRAGMA synchronous = NORMAL");
    m_db->exec("SELECT count(*) FROM sqlite_master");  // opens the WAL it will copy
  } else {
    m_db->exec("PRAGMA query_only = ON");
  }
  m_db->exec("PRAGMA foreign_keys = ON");
}

Connection::~Connection() {
  release_statements();
  m_statements.clear();  // statements must be finalized before the database closes
}

SQLite::Statement& Connection::prepare(std::string_view sql) {
  auto it = m_statements.find(sql);
  if (it == m_statements.end()) {
    std::string key(sql);
    auto statement = std::make_unique<SQLite::Statement>(*m_db, key);
    it = m_statements.emplace(std::move(key), std::move(statement)).first;
  } else {
    it->second->tryReset();
    it->second->clearBindings();
  }
  m_in_use.push_back(it->second.get());
  return *it->second;
}

void Connection::exec(std::string_view sql) {
  m_db->exec(std::string(sql));
}

void Connection::exec_prepared(std::string_view sql) {
  auto it = m_statements.find(sql);
  if (it == m_statements.end()) {
    std::string key(sql);
    auto statement = std::make_unique<SQLite::Statement>(*m_db, key);
    it = m_statements.emplace(std::move(key), std::move(statement)).first;
  }
  SQLite::Statement& statement = *it->second;
  statement.tryReset();
  statement.exec();
  statement.tryReset();
}

std::int64_t Connection::changes() const {
  return m_db->getChanges();
}

std::int64_t Connection::last_insert_id() const {
  return m_db->getLastInsertRowid();
}

bool Connection::in_transaction() const {
  return sqlite3_get_autocommit(m_db->getHandle()) == 0;
}

std::string Connection::folder_write_error() const {
  const char* file = sqlite3_db_filename(m_db->getHandle(), "main");
  if (file == nullptr || *file == '\0') return "";
  const std::string probe = std::string(file) + "-probe-" + util::random_hex(8);
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return std::strerror(errno);
  ::close(fd);
  ::unlink(probe.c_str());
  return "";
}

void Connection::release_statements() noexcept {
  for (SQLite::Statement* statement : m_in_use) statement->tryReset();
  m_in_use.clear();
}

}  // namespace driftd::store
