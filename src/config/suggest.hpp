#pragma once
// Private to the config module: what to tell a user who wrote a key the table does not
// know — the closest key of the same section, the section a misplaced key belongs to, or
// the list of keys the section does have.

#include <string>
#include <string_view>

namespace driftd::config {

// A parenthesized hint such as " (did you mean server.threads?)" for the unknown key
// `name` written in section `section` ("" for the top level). Never empty.
std::string unknown_key_hint(std::string_view section, std::string_view name);

}  // namespace driftd::config
