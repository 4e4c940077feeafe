#include "driftd/store/meta.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include "driftd/store/store.hpp"

namespace driftd::store {

Result<std::optional<std::string>> read_meta(Store& store, const std::string& key) {
  return store.read([&](Connection& c) -> Result<std::optional<std::string>> {
    SQLite::Statement& query = c.prepare("SELECT value FROM meta WHERE key = ?");
    query.bind(1, key);
    if (!query.executeStep()) return std::optional<std::string>();
    return std::optional<std::string>(query.getColumn(0).getString());
  });
}

Status write_meta(Store& store, const std::string& key, const std::string& value) {
  return store.writer().run([&](WriteTxn& txn) -> Status {
    SQLite::Statement& upsert = txn.prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    upsert.bind(1, key);
    upsert.bind(2, value);
    upsert.exec();
    return Ok{};
  });
}

}  // namespace driftd::store
