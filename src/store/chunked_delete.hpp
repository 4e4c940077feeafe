#pragma once
// Private to the store module: retention's deletes, a bounded number of rows per write job.

#include <cstdint>
#include <string_view>

#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;

// Runs `delete_sql` (binding ?1 = cutoff, ?2 = batch_rows and, when not empty, ?3 = `key`;
// it deletes at most ?2 rows) in one write job after another, so other writes interleave,
// until a job deletes fewer than batch_rows. Returns the rows deleted; refuses
// (invalid_argument) batch_rows <= 0.
Result<std::int64_t> delete_in_chunks(Store& store, std::string_view delete_sql,
                                      util::UnixMs cutoff, std::int64_t batch_rows,
                                      std::string_view key = {});

}  // namespace driftd::store
