#pragma once
// Secret material: reading it from where the config points, hashing tokens for storage,
// comparing in constant time, and keeping it out of logs and error messages.

#include <optional>
#include <string>
#include <string_view>

namespace driftd::util {

// Reads the secret named `name`: the environment variable `name` when set and non-empty,
// else the systemd credential file $CREDENTIALS_DIRECTORY/`name` (trailing newline
// stripped). Nothing when neither exists.
std::optional<std::string> read_secret(const std::string& name);

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// Equality that takes the same time whatever the position of the first difference
// (the length is not secret).
bool constant_time_equal(std::string_view a, std::string_view b);

// `bytes` bytes from the OS's CSPRNG, as URL-safe base64 without padding.
std::string random_token(std::size_t bytes = 32);

// A short random identifier (hex), for run ids, clip names and the like.
std::string random_hex(std::size_t bytes = 8);

// The one redaction helper: replaces every occurrence of each registered secret in
// `text` with "[redacted]". Secrets are registered once when read (read_secret does).
std::string redact(std::string text);
void register_secret(const std::string& secret);

}  // namespace driftd::util
