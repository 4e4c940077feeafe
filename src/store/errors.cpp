#include "driftd/store/errors.hpp"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <string>

namespace driftd::store {

bool is_unavailable_code(int sqlite_code) {
  switch (sqlite_code & 0xff) {
    case SQLITE_PERM:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_NOTADB:
      return true;
    default:
      return false;
  }
}

Error error_from_exception(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const SQLite::Exception& ex) {
    const int code = ex.getExtendedErrorCode() > 0 ? ex.getExtendedErrorCode() : ex.getErrorCode();
    if (is_unavailable_code(code)) {
      return make_error(k_error_unavailable,
                        std::string("the database is unavailable: ") + ex.what());
    }
    if ((code & 0xff) == SQLITE_CONSTRAINT) {
      return make_error(k_error_conflict,
                        std::string("the database refused the change: ") + ex.what());
    }
    return make_error(k_error_internal, std::string("database error: ") + ex.what());
  } catch (const UnavailableError& ex) {
    return make_error(k_error_unavailable, ex.what());
  } catch (const std::exception& ex) {
    return make_error(k_error_internal, std::string("storage error: ") + ex.what());
  } catch (...) {
    return make_error(k_error_internal, "storage error: unknown exception");
  }
}

}  // namespace driftd::store
