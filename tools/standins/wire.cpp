#include "wire.hpp"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace driftd::standins {

namespace {

std::uint32_t le(std::string_view b, std::size_t at, int n) {
  std::uint32_t v = 0;
  for (int k = n - 1; k >= 0; --k) {
    v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(k)]);
  }
  return v;
}

// The port of an IPv4 or IPv6 socket address; -1 for anything else.
int port_of(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
  }
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
  }
  return -1;
}

}  // namespace

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
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
    static constexpr std::uint32_t k_min[] = {0, 0x80, 0x800, 0x10000};
    if (cp < k_min[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

std::string http_date(std::int64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* k_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", k_days[tm.tm_wday],
                tm.tm_mday, k_months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::optional<WavInfo> read_wav_info(std::string_view b) {
  if (b.size() < 12 || b.substr(0, 4) != "RIFF" || b.substr(8, 4) != "WAVE") return std::nullopt;
  WavInfo info;
  int block_align = 0;
  bool have_fmt = false;
  std::size_t pos = 12;
  while (pos + 8 <= b.size()) {
    const std::string_view id = b.substr(pos, 4);
    const std::size_t size = le(b, pos + 4, 4);
    const std::size_t body = pos + 8;
    if (id == "fmt " && size >= 16 && body + 16 <= b.size()) {
      info.channels = static_cast<int>(le(b, body + 2, 2));
      info.sample_rate_hz = static_cast<int>(le(b, body + 4, 4));
      block_align = static_cast<int>(le(b, body + 12, 2));
      have_fmt = true;
    } else if (id == "data") {
      if (!have_fmt || block_align <= 0 || info.sample_rate_hz <= 0) return std::nullopt;
      const std::size_t available = std::min(size, b.size() - body);
      info.frames = static_cast<std::int64_t>(available / static_cast<std::size_t>(block_align));
      return info;
    }
    pos = body + size + (size & 1);
  }
  return std::nullopt;
}

void reply_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void reply_ei_error(httplib::Response& res, int status, const std::string& message) {
  reply_json(res, status, {{"success", false}, {"error", message}});
}

void reply_github_error(httplib::Response& res, int status, const std::string& message,
                        const std::string& documentation_url) {
  reply_json(res, status,
             {{"message", message},
              {"documentation_url", documentation_url},
              {"status", std::to_string(status)}});
}

// cpp-httplib does not hand the socket to handlers. The connection is found among the
// process's descriptors by its two ports (local = the port the request came in on,
// peer = the client's port), which identify one accepted TCP socket on this host, and
// shut down in both directions: the client reads end-of-stream with no answer, and the
// server's own write of the response then fails quietly (cpp-httplib ignores SIGPIPE).
bool drop_connection(const httplib::Request& req) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return false;
  bool dropped = false;
  while (const dirent* entry = readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(dir)) continue;
    struct stat st {};
    if (fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;
    }
    if (port_of(local) == req.local_port && port_of(peer) == req.remote_port) {
      dropped = ::shutdown(static_cast<int>(fd), SHUT_RDWR) == 0;
      break;
    }
  }
  closedir(dir);
  return dropped;
}

}  // namespace driftd::standins
