#include "chunked_delete.hpp"

#include <SQLiteCpp/Statement.h>

#include <string>

#include "driftd/store/errors.hpp"
#include "driftd/store/store.hpp"

namespace driftd::store {

Result<std::int64_t> delete_in_chunks(Store& store, std::string_view delete_sql,
                                      util::UnixMs cutoff, std::int64_t batch_rows,
                                      std::string_view key) {
  if (batch_rows <= 0) return make_error(k_error_invalid, "batch_rows must be positive");
  std::int64_t total = 0;
  for (;;) {
    auto deleted = store.writer().run([&](WriteTxn& txn) -> Result<std::int64_t> {
      SQLite::Statement& remove = txn.prepare(delete_sql);
      remove.bind(1, static_cast<std::int64_t>(cutoff));
      remove.bind(2, batch_rows);
      if (!key.empty()) remove.bind(3, std::string(key));
      remove.exec();
      return txn.changes();
    });
    if (!deleted) return deleted.error();
    total += deleted.value();
    if (deleted.value() < batch_rows) return total;
  }
}

}  // namespace driftd::store
