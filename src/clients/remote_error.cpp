#include "driftd/clients/remote_error.hpp"

namespace driftd::clients {

std::string_view to_string(RemoteErrorKind kind) {
  switch (kind) {
    case RemoteErrorKind::timeout:
      return "timeout";
    case RemoteErrorKind::transport:
      return "transport";
    case RemoteErrorKind::rate_limited:
      return "rate_limited";
    case RemoteErrorKind::server_error:
      return "server_error";
    case RemoteErrorKind::auth:
      return "auth";
    case RemoteErrorKind::not_found:
      return "not_found";
    case RemoteErrorKind::invalid:
      return "invalid";
    case RemoteErrorKind::protocol:
      return "protocol";
  }
  return "protocol";
}

bool RemoteError::transient() const {
  switch (kind) {
    case RemoteErrorKind::timeout:
    case RemoteErrorKind::transport:
    case RemoteErrorKind::rate_limited:
    case RemoteErrorKind::server_error:
      return true;
    default:
      return false;
  }
}

Error RemoteError::to_error() const {
  return make_error("remote_" + std::string(to_string(kind)), message);
}

}  // namespace driftd::clients
