#include "value_checks.hpp"

#include <string_view>

#include "driftd/config/listen_address.hpp"
#include "wording.hpp"

namespace driftd::config::checks {

namespace {

constexpr std::size_t k_max_owner = 39;
constexpr std::size_t k_max_repository_name = 100;
constexpr std::size_t k_max_secret_name = 128;
constexpr std::size_t k_max_event_type = 100;

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool valid_owner(std::string_view owner) {
  if (owner.empty() || owner.size() > k_max_owner) return false;
  if (owner.front() == '-' || owner.back() == '-') return false;
  for (char c : owner) {
    if (!is_alnum(c) && c != '-') return false;
  }
  return true;
}

bool valid_repository_name(std::string_view name) {
  if (name.empty() || name.size() > k_max_repository_name) return false;
  if (name == "." || name == "..") return false;
  for (char c : name) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

}  // namespace

std::string not_empty(const std::string& value) {
  return value.empty() ? "must not be empty" : "";
}

std::string listen_address(const std::string& value) {
  auto parsed = parse_listen_address(value);
  return parsed.ok() ? "" : parsed.error().message;
}

std::string http_url(const std::string& value) {
  std::string_view rest = value;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return "must start with http:// or https://, got " + quote(value);
  }
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      return "must not contain whitespace, got " + quote(value);
    }
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return "must not contain a user name or password (secrets belong in environment variables "
           "or credentials); the value is not shown";
  }
  if (authority.empty() || authority.front() == ':') {
    return "has no host name, got " + quote(value);
  }
  return "";
}

std::string github_repository(const std::string& value) {
  if (value.empty()) return "";
  const auto slash = value.find('/');
  if (slash != std::string::npos) {
    const std::string_view owner = std::string_view(value).substr(0, slash);
    const std::string_view name = std::string_view(value).substr(slash + 1);
    if (valid_owner(owner) && valid_repository_name(name)) return "";
  }
  return "must be empty or owner/name of a GitHub repository (e.g. acme/firmware), got " +
         quote(value);
}

std::string secret_name(const std::string& value) {
  if (value.empty()) return "";
  if (looks_like_secret(value)) {
    return "must be the name of the environment variable or credential that holds the secret, "
           "not the secret itself (the value is not shown; remove it from the file and revoke "
           "it if the file was shared)";
  }
  bool valid = value.size() <= k_max_secret_name && value.front() != '.' && value.front() != '-';
  for (char c : value) {
    if (!is_alnum(c) && c != '_' && c != '.' && c != '-') valid = false;
  }
  if (valid) return "";
  return "must be the name of an environment variable or systemd credential (letters, digits, "
         "'_', '.', '-'), got " +
         quote(value);
}

std::string event_type(const std::string& value) {
  if (value.empty() || value.size() > k_max_event_type) {
    return "must be 1 to 100 characters (GitHub's limit for repository_dispatch), got " +
           quote(value);
  }
  return "";
}

std::string upload_category(const std::string& value) {
  if (value == "testing") {
    return "must not be 'testing': drifted clips in the test set would pollute the held-out "
           "set that retrain.min_test_accuracy measures; use training or split";
  }
  return "";
}

std::string power_of_two(std::int64_t value) {
  if (value > 0 && (value & (value - 1)) == 0) return "";
  return "must be a power of two (16, 32, 64, ..., 8192), got " + std::to_string(value);
}

std::string zero_or_odd(std::int64_t value) {
  if (value == 0 || value % 2 == 1) return "";
  return "must be 0 (normalization off) or an odd number, got " + std::to_string(value);
}

}  // namespace driftd::config::checks
