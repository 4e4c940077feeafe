#pragma once
// HTTP dates (RFC 9110 §5.6.7), as found in Retry-After.

#include <optional>
#include <string_view>

#include "driftd/util/time.hpp"

namespace driftd::net {

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") or one of the two obsolete
// forms HTTP recipients must accept (RFC 850, asctime). Nothing for anything else.
std::optional<util::UnixMs> parse_http_date(std::string_view text);

}  // namespace driftd::net
