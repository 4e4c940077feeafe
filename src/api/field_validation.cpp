#include "driftd/api/field_validation.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace driftd::api {

namespace {

// Timestamps are accepted from 2000-01-01 to one day past receipt: a device clock far
// outside that is broken, and its data would land outside every drift window.
constexpr util::UnixMs k_min_timestamp = 946'684'800'000;
constexpr util::UnixMs k_max_clock_skew = 86'400'000;
constexpr std::uint64_t k_max_timestamp = 4'102'444'800'000ULL;  // 2100-01-01

[[noreturn]] void fail(std::string code, const std::string& message, std::string field,
                       std::optional<std::size_t> index) {
  throw ApiError(400, std::move(code), message, std::move(field), index);
}

// Number of Unicode code points in valid UTF-8.
std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool has_control_chars(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Well-formed UTF-8: no stray continuation bytes, overlong forms, surrogates or values
// beyond U+10FFFF.
bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong = (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
    if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    i += extra + 1;
  }
  return true;
}

void require_utf8(const std::string& text, const std::string& field, const FieldContext& ctx) {
  if (!is_valid_utf8(text)) {
    fail("invalid_encoding", ctx.where(field) + " must be valid UTF-8 (percent-encoded)", field,
         ctx.index);
  }
}

bool is_integer_text(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

bool is_valid_identifier(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string parse_identifier(const std::string& value, const std::string& field,
                             const FieldContext& ctx) {
  if (!is_valid_identifier(value)) {
    fail("invalid_" + field, ctx.where(field) + " must be 1-64 characters of A-Z a-z 0-9 . _ : -",
         field, ctx.index);
  }
  return value;
}

double parse_unit_number(const nlohmann::json& v, const std::string& what, const std::string& field,
                         const FieldContext& ctx) {
  if (!v.is_number()) fail("invalid_type", what + " must be a number", field, ctx.index);
  double d = v.get<double>();
  if (!std::isfinite(d) || d < 0.0 || d > 1.0) {
    fail("out_of_range", what + " must be a finite number in [0, 1]", field, ctx.index);
  }
  return d;
}

std::string parse_label_text(const nlohmann::json& v, const std::string& what,
                             const std::string& field, std::size_t max_chars,
                             const FieldContext& ctx) {
  if (!v.is_string()) fail("invalid_type", what + " must be a string", field, ctx.index);
  const auto& s = v.get_ref<const std::string&>();
  std::size_t n = utf8_length(s);
  if (n == 0 || n > max_chars) {
    fail("invalid_length", what + " must be 1-" + std::to_string(max_chars) + " characters", field,
         ctx.index);
  }
  if (has_control_chars(s)) {
    fail("invalid_characters", what + " must not contain control characters", field, ctx.index);
  }
  return s;
}

util::UnixMs parse_timestamp(const nlohmann::json& v, util::UnixMs received_at,
                             const FieldContext& ctx) {
  util::UnixMs t = 0;
  if (v.is_string()) {
    auto parsed = util::parse_rfc3339(v.get_ref<const std::string&>());
    if (!parsed) {
      fail("invalid_timestamp",
           ctx.where("timestamp") +
               " must be RFC 3339 (e.g. 2026-11-26T12:00:00Z) or Unix "
               "milliseconds",
           "timestamp", ctx.index);
    }
    t = *parsed;
  } else if (v.is_number_integer()) {
    t = v.get<util::UnixMs>();
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > k_max_timestamp) {
      t = -1;  // beyond year 2100: refused below
    }
    if (t > 0 && t < 100'000'000'000LL && t * 1000 >= k_min_timestamp) {
      fail("invalid_timestamp",
           ctx.where("timestamp") + " looks like Unix seconds; send milliseconds", "timestamp",
           ctx.index);
    }
  } else {
    fail("invalid_timestamp",
         ctx.where("timestamp") + " must be an RFC 3339 string or integer Unix milliseconds",
         "timestamp", ctx.index);
  }
  if (t < k_min_timestamp || t > received_at + k_max_clock_skew) {
    fail("invalid_timestamp",
         ctx.where("timestamp") +
             " is outside the accepted range (2000-01-01 to one day after "
             "receipt): check the device clock",
         "timestamp", ctx.index);
  }
  return t;
}

util::UnixMs parse_timestamp_query(const std::string& text, util::UnixMs received_at,
                                   const FieldContext& ctx) {
  require_utf8(text, "timestamp", ctx);
  if (!is_integer_text(text)) return parse_timestamp(nlohmann::json(text), received_at, ctx);
  std::int64_t ms = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), ms);
  if (ec != std::errc() || end != text.data() + text.size()) ms = -1;  // out of range
  return parse_timestamp(nlohmann::json(ms), received_at, ctx);
}

double parse_unit_number_query(const std::string& text, const std::string& field,
                               const FieldContext& ctx) {
  require_utf8(text, field, ctx);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    fail("invalid_type", ctx.where(field) + " must be a number", field, ctx.index);
  }
  return parse_unit_number(nlohmann::json(value), ctx.where(field), field, ctx);
}

std::string parse_label_query(const std::string& text, const std::string& field,
                              std::size_t max_chars, const FieldContext& ctx) {
  require_utf8(text, field, ctx);
  return parse_label_text(nlohmann::json(text), ctx.where(field), field, max_chars, ctx);
}

}  // namespace driftd::api
