#include "driftd/api/service.hpp"

#include "driftd/api/api_error.hpp"
#include "driftd/store/errors.hpp"

namespace driftd::api {

ApiError api_error_from_store(const Error& error) {
  if (error.code == store::k_error_token_revoked) {
    return ApiError(401, "unauthorized", "the token is unknown or revoked");
  }
  int status = 500;
  if (error.code == store::k_error_unavailable) {
    status = 503;
  } else if (error.code == store::k_error_conflict) {
    status = 409;
  } else if (error.code == store::k_error_not_found) {
    status = 404;
  } else if (error.code == store::k_error_invalid) {
    status = 400;
  }
  if (status == 500) {
    return ApiError(500, "internal_error", "the server failed to handle this request");
  }
  return ApiError(status, error);
}

}  // namespace driftd::api
