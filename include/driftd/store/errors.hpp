#pragma once
// The typed errors of the store, so that callers map them to HTTP statuses in one place:
//   storage_unavailable → 503 (disk full, read-only or failing database, store closed)
//   conflict            → 409 (a uniqueness or other constraint refused the write)
//   not_found           → 404
//   invalid_argument    → 400 (a value the store refuses to keep)
//   token_revoked       → 401 (the token a write was made with is revoked or gone)
//   schema_too_new      → startup error (the database was written by a newer driftd)
//   storage_error       → 500 (anything else: a bug)

#include <exception>
#include <stdexcept>

#include "driftd/util/result.hpp"

namespace driftd::store {

inline constexpr const char* k_error_unavailable = "storage_unavailable";
inline constexpr const char* k_error_conflict = "conflict";
inline constexpr const char* k_error_not_found = "not_found";
inline constexpr const char* k_error_invalid = "invalid_argument";
inline constexpr const char* k_error_token_revoked = "token_revoked";
inline constexpr const char* k_error_schema_too_new = "schema_too_new";
inline constexpr const char* k_error_internal = "storage_error";

// Thrown inside the store when it cannot serve at all (closed); maps to storage_unavailable.
class UnavailableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// True for SQLite result codes that say the database as a whole cannot take writes now
// (full, read-only, I/O error, corrupt, locked by another process past the busy timeout),
// as opposed to one statement being refused. Extended codes are accepted.
bool is_unavailable_code(int sqlite_code);

// The typed Error for an exception in flight: SQLite failures are classified by their
// result code (see above); any other exception becomes storage_error. Messages carry
// SQLite's text, which names tables and columns but never bound values.
Error error_from_exception(const std::exception_ptr& e);

}  // namespace driftd::store
