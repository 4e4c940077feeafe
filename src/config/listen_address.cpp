#include "driftd/config/listen_address.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "wording.hpp"

namespace driftd::config {

namespace {

constexpr std::size_t k_max_host_name = 253;
constexpr std::size_t k_max_label = 63;

Error bad(std::string_view text, const std::string& why) {
  return make_error("bad_listen",
                    "must be host:port (e.g. 127.0.0.1:8080, [::1]:8080 or localhost:8080): " +
                        why + ", got " + quote(text));
}

bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > k_max_host_name) return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < host.size(); ++i) {
    const char c = host[i];
    if (c == '.') {
      if (label == 0 || host[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-') return false;
    if (c == '-' && label == 0) return false;
    if (++label > k_max_label) return false;
  }
  return host.back() != '-';
}

bool all_digits_and_dots(std::string_view s) {
  for (char c : s) {
    if (c != '.' && (c < '0' || c > '9')) return false;
  }
  return true;
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress out;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos)
      return bad(text, "the ']' after the IPv6 address is missing");
    out.host = std::string(text.substr(1, close - 1));
    out.is_ipv6 = true;
    in6_addr addr{};
    if (inet_pton(AF_INET6, out.host.c_str(), &addr) != 1) {
      return bad(text, "the part in brackets is not an IPv6 address");
    }
    if (close + 1 >= text.size() || text[close + 1] != ':') return bad(text, "the port is missing");
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad(text, "the port is missing");
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (out.host.find(':') != std::string::npos) {
      return bad(text, "an IPv6 address must be written in brackets");
    }
    if (out.host.empty() || out.host == "*") {
      return bad(text, "the host is missing (0.0.0.0 or [::] means all interfaces)");
    }
    if (all_digits_and_dots(out.host)) {
      in_addr addr{};
      if (inet_pton(AF_INET, out.host.c_str(), &addr) != 1) {
        return bad(text, "the host is not a valid IPv4 address");
      }
    } else if (!is_host_name(out.host)) {
      return bad(text, "the host is neither an IP address nor a valid host name");
    }
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return bad(text, "the port must be a number from 0 to 65535");
  }
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

}  // namespace driftd::config
