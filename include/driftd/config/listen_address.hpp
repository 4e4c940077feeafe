#pragma once
// The server's listen address, "host:port": an IPv4 address, a bracketed IPv6 address
// ("[::1]:8080") or a host name, and a port 0–65535 (0 lets the OS pick a free one).

#include <cstdint>
#include <string>
#include <string_view>

#include "driftd/util/result.hpp"

namespace driftd::config {

struct ListenAddress {
  std::string host;  // without brackets for IPv6, ready for bind()/getaddrinfo()
  std::uint16_t port = 0;
  bool is_ipv6 = false;
};

// Splits and checks "host:port". The error's message is the end of a sentence about the
// value ("must be host:port ..., got '...'"), so callers can prefix the key's name.
Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace driftd::config
