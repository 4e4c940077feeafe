// HTTP-date parsing (RFC 9110 §5.6.7). Three shapes, all UTC:
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   RFC 850      "Sunday, 06-Nov-94 08:49:37 GMT"  (two-digit year: 70..99 → 19xx)
//   asctime      "Sun Nov  6 08:49:37 1994"
// The weekday is checked for shape only, not against the date.
#include "driftd/net/http_date.hpp"

#include <array>
#include <cctype>
#include <cstdint>

namespace driftd::net {

namespace {

constexpr std::array<std::string_view, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// A small cursor over the text; every reader returns false on mismatch.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : m_text(text) {}

  bool literal(std::string_view s) {
    if (m_text.substr(m_pos, s.size()) != s) return false;
    m_pos += s.size();
    return true;
  }
  bool digits(int count, int& out) {
    out = 0;
    for (int i = 0; i < count; ++i) {
      if (m_pos >= m_text.size() || !std::isdigit(static_cast<unsigned char>(m_text[m_pos]))) {
        return false;
      }
      out = out * 10 + (m_text[m_pos++] - '0');
    }
    return true;
  }
  bool month(int& out) {
    for (std::size_t i = 0; i < k_months.size(); ++i) {
      if (literal(k_months[i])) {
        out = static_cast<int>(i) + 1;
        return true;
      }
    }
    return false;
  }
  bool letters() {  // a weekday name, short or long
    const std::size_t start = m_pos;
    while (m_pos < m_text.size() && std::isalpha(static_cast<unsigned char>(m_text[m_pos]))) {
      ++m_pos;
    }
    return m_pos - start >= 3;
  }
  bool time(int& h, int& m, int& s) {
    return digits(2, h) && literal(":") && digits(2, m) && literal(":") && digits(2, s);
  }
  bool at_end() const { return m_pos == m_text.size(); }

 private:
  std::string_view m_text;
  std::size_t m_pos = 0;
};

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool valid_date(int y, int m, int d) {
  static constexpr std::array<int, 12> k_days = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > k_days[static_cast<std::size_t>(m - 1)]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

std::optional<util::UnixMs> to_unix_ms(int y, int mo, int d, int h, int mi, int s) {
  if (!valid_date(y, mo, d) || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const std::int64_t days = days_from_civil(y, mo, d);
  return ((days * 24 + h) * 60 + mi) * 60 * 1000LL + s * 1000LL;
}

}  // namespace

std::optional<util::UnixMs> parse_http_date(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  {  // IMF-fixdate
    Cursor c(text);
    if (c.letters() && c.literal(", ") && c.digits(2, d) && c.literal(" ") && c.month(mo) &&
        c.literal(" ") && c.digits(4, y) && c.literal(" ") && c.time(h, mi, s) &&
        c.literal(" GMT") && c.at_end()) {
      return to_unix_ms(y, mo, d, h, mi, s);
    }
  }
  {  // RFC 850
    Cursor c(text);
    if (c.letters() && c.literal(", ") && c.digits(2, d) && c.literal("-") && c.month(mo) &&
        c.literal("-") && c.digits(2, y) && c.literal(" ") && c.time(h, mi, s) &&
        c.literal(" GMT") && c.at_end()) {
      return to_unix_ms(y < 70 ? 2000 + y : 1900 + y, mo, d, h, mi, s);
    }
  }
  {  // asctime: the day is padded with a space when it has one digit
    Cursor c(text);
    if (c.letters() && c.literal(" ") && c.month(mo) && c.literal(" ")) {
      const bool one_digit = c.literal(" ");
      if (c.digits(one_digit ? 1 : 2, d) && c.literal(" ") && c.time(h, mi, s) && c.literal(" ") &&
          c.digits(4, y) && c.at_end()) {
        return to_unix_ms(y, mo, d, h, mi, s);
      }
    }
  }
  return std::nullopt;
}

}  // namespace driftd::net
