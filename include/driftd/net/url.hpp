#pragma once
// Building URLs and header values for outside APIs: percent-encoding exactly like
// JavaScript's encodeURIComponent, query strings, and base URL joining.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace driftd::net {

// encodeURIComponent: A-Z a-z 0-9 - _ . ! ~ * ' ( ) are kept; every other byte of the
// UTF-8 input is written as %XX with uppercase hex (a space is "%20", "/" is "%2F").
// Bytes are encoded as they are: invalid UTF-8 is not rejected.
std::string encode_uri_component(std::string_view text);

// "?k1=v1&k2=v2" with keys and values encoded as above; "" when `params` is empty.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

// `base` without trailing slashes followed by `path` (which should start with "/").
std::string join_url(std::string_view base, std::string_view path);

}  // namespace driftd::net
