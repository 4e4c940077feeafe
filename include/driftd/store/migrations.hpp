#pragma once
// Versioned schema migrations, embedded into the binary at build time from
// migrations/NNNN_name.sql (see cmake/EmbedMigrations.cmake), and the runner that applies
// them. Applied versions are recorded in the table schema_migrations(version, name,
// applied_at); a database is never used with a schema newer than the binary knows.

#include <string>
#include <vector>

#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace SQLite {
class Database;
}

namespace driftd::store {

struct Migration {
  int version;       // NNNN from the file name; strictly increasing
  std::string name;  // the file name without .sql
  std::string sql;   // applied inside one transaction
};

// Every migration this binary knows, in version order.
const std::vector<Migration>& embedded_migrations();

struct AppliedMigration {
  int version;
  std::string name;
};

struct MigrationReport {
  int previous_version = 0;               // highest version applied before (0: new database)
  int current_version = 0;                // highest version applied now
  std::vector<AppliedMigration> applied;  // applied by this call, in order
};

// Applies, in order, each migration of `known` newer than the database's highest applied
// version, each in its own transaction together with its schema_migrations row
// (applied_at = `now`). Refuses (schema_too_new) a database whose version is newer than the
// newest of `known`: "database schema version N is newer than this driftd (knows up to M):
// upgrade driftd or restore a backup". A failing migration is rolled back and reported
// (migration_failed) with its name; the ones before it stay applied. Safe against another
// process migrating the same file at the same time.
Result<MigrationReport> apply_migrations(SQLite::Database& db, const std::vector<Migration>& known,
                                         util::UnixMs now);

}  // namespace driftd::store
