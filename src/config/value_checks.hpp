#pragma once
// Private to the config module: the per-key checks the key table names (TextCheck and
// IntegerCheck in keys.hpp). Each returns "" when fine, else the end of a sentence that
// starts with the key's path.

#include <cstdint>
#include <string>

namespace driftd::config::checks {

std::string not_empty(const std::string& value);
std::string listen_address(const std::string& value);
// http:// or https://, a host, no whitespace and no user:password part.
std::string http_url(const std::string& value);
// "" or owner/name as GitHub spells them.
std::string github_repository(const std::string& value);
// "" or the name of an environment variable / systemd credential (never the secret itself).
std::string secret_name(const std::string& value);
// A repository_dispatch event type: 1 to 100 characters.
std::string event_type(const std::string& value);
// Explains why "testing" is refused; other values are left to the enumeration check.
std::string upload_category(const std::string& value);
std::string power_of_two(std::int64_t value);
// 0 (normalization off) or an odd window size.
std::string zero_or_odd(std::int64_t value);

}  // namespace driftd::config::checks
