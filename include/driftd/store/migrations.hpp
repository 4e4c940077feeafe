#pragma once
// Versioned schema migrations, embedded into the binary at build time from
// migrations/NNNN_name.sql (see cmake/EmbedMigrations.cmake).

#include <string>
#include <vector>

namespace driftd::store {

struct Migration {
  int version;       // NNNN from the file name; strictly increasing
  std::string name;  // the file name without .sql
  std::string sql;   // applied inside one transaction
};

// Every migration this binary knows, in version order.
const std::vector<Migration>& embedded_migrations();

}  // namespace driftd::store
