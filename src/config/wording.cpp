#include "wording.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>

#include "driftd/util/duration.hpp"

namespace driftd::config {

namespace {

constexpr std::size_t k_max_quoted_chars = 80;

constexpr std::array<std::string_view, 9> k_token_prefixes = {
    "ei_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "sk-", "xox",
};

}  // namespace

std::string format_number(double value) {
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  if (ec != std::errc()) return "?";
  return std::string(buf.data(), end);
}

std::string format_bound(double value, ValueType type) {
  if (type == ValueType::duration) {
    return util::format_duration(std::chrono::milliseconds(std::llround(value)));
  }
  return format_number(value);
}

std::string describe_bounds(const Bounds& bounds, ValueType type) {
  const bool has_min = std::isfinite(bounds.min);
  const bool has_max = std::isfinite(bounds.max);
  if (has_min && has_max && !bounds.min_exclusive && !bounds.max_exclusive) {
    return "between " + format_bound(bounds.min, type) + " and " + format_bound(bounds.max, type);
  }
  std::string out;
  if (has_min) out += (bounds.min_exclusive ? "> " : ">= ") + format_bound(bounds.min, type);
  if (has_max) {
    if (!out.empty()) out += " and ";
    out += (bounds.max_exclusive ? "< " : "<= ") + format_bound(bounds.max, type);
  }
  return out;
}

bool looks_like_secret(std::string_view text) {
  for (std::string_view prefix : k_token_prefixes) {
    if (text.size() > prefix.size() + 8 && text.substr(0, prefix.size()) == prefix) return true;
  }
  if (text.size() < 32) return false;
  bool lower = false;
  bool digit = false;
  for (char c : text) {
    if (c >= 'a' && c <= 'z') lower = true;
    if (c >= '0' && c <= '9') digit = true;
    if (c == ' ' || c == '.' || c == '/' || c == ':') return false;
  }
  return lower && digit;
}

std::string quote(std::string_view text) {
  if (looks_like_secret(text)) return "a value that looks like a secret (not shown)";
  std::string out = "'";
  std::size_t shown = 0;
  for (char c : text) {
    if (shown == k_max_quoted_chars) {
      out += "...";
      break;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      static constexpr char k_hex[] = "0123456789abcdef";
      out += "\\x";
      out += k_hex[byte >> 4];
      out += k_hex[byte & 0xf];
    } else {
      out += c;
    }
    ++shown;
  }
  return out + "'";
}

}  // namespace driftd::config
