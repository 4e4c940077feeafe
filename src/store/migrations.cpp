#include "driftd/store/migrations.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <string>

#include "driftd/store/errors.hpp"

namespace driftd::store {

namespace {

int applied_version(SQLite::Database& db) {
  SQLite::Statement query(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  query.executeStep();
  return query.getColumn(0).getInt();
}

std::string too_new_message(int database_version, int newest_known) {
  return "database schema version " + std::to_string(database_version) +
         " is newer than this driftd (knows up to " + std::to_string(newest_known) +
         "): upgrade driftd or restore a backup";
}

Status check_known(const std::vector<Migration>& known) {
  int previous = 0;
  for (const Migration& m : known) {
    if (m.version <= previous) {
      return make_error(k_error_internal, "migration " + m.name + " is out of version order");
    }
    previous = m.version;
  }
  return Ok{};
}

}  // namespace

Result<MigrationReport> apply_migrations(SQLite::Database& db, const std::vector<Migration>& known,
                                         util::UnixMs now) {
  if (Status valid = check_known(known); !valid) return valid.error();
  const int newest = known.empty() ? 0 : known.back().version;

  db.exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  MigrationReport report;
  report.previous_version = applied_version(db);
  if (report.previous_version > newest) {
    return make_error(k_error_schema_too_new, too_new_message(report.previous_version, newest));
  }

  for (const Migration& m : known) {
    if (m.version <= report.previous_version) continue;
    SQLite::Transaction txn(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int current = applied_version(db);  // another process may have migrated meanwhile
    if (current > newest)
      return make_error(k_error_schema_too_new, too_new_message(current, newest));
    if (current >= m.version) continue;
    try {
      db.exec(m.sql);
    } catch (const SQLite::Exception& e) {
      return make_error("migration_failed", "migration " + m.name + " failed: " + e.what());
    }
    SQLite::Statement record(db,
                             "INSERT INTO schema_migrations (version, name, applied_at) "
                             "VALUES (?, ?, ?)");
    record.bind(1, m.version);
    record.bind(2, m.name);
    record.bind(3, static_cast<std::int64_t>(now));
    record.exec();
    txn.commit();
    report.applied.push_back({m.version, m.name});
  }
  report.current_version = applied_version(db);
  return report;
}

}  // namespace driftd::store
