#include "driftd/util/secrets.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace driftd::util {

namespace {

std::mutex g_secrets_mutex;
std::vector<std::string>& registered_secrets() {
  static std::vector<std::string> k_secrets;
  return k_secrets;
}

std::string to_hex(const unsigned char* data, std::size_t n) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = k_digits[data[i] >> 4];
    out[2 * i + 1] = k_digits[data[i] & 0xf];
  }
  return out;
}

std::vector<unsigned char> random_bytes(std::size_t n) {
  std::vector<unsigned char> buf(n);
  if (RAND_bytes(buf.data(), static_cast<int>(n)) != 1) {
    throw std::runtime_error("the system random number generator failed");
  }
  return buf;
}

}  // namespace

std::optional<std::string> read_secret(const std::string& name) {
  if (name.empty()) return std::nullopt;
  std::optional<std::string> value;
  if (const char* env = std::getenv(name.c_str()); env != nullptr && *env != '\0') {
    value = env;
  } else if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY"); dir != nullptr) {
    std::ifstream in(std::string(dir) + "/" + name, std::ios::binary);
    if (in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      std::string s = ss.str();
      while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
      if (!s.empty()) value = s;
    }
  }
  if (value) register_secret(*value);
  return value;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return to_hex(digest, len);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string random_token(std::size_t bytes) {
  static constexpr char k_alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  auto buf = random_bytes(bytes);
  std::string out;
  out.reserve(bytes * 4 / 3 + 4);
  std::size_t i = 0;
  for (; i + 3 <= buf.size(); i += 3) {
    unsigned v = (buf[i] << 16) | (buf[i + 1] << 8) | buf[i + 2];
    for (int k = 3; k >= 0; --k) out += k_alphabet[(v >> (6 * k)) & 63];
  }
  if (std::size_t rest = buf.size() - i; rest > 0) {
    unsigned v = buf[i] << 16;
    if (rest == 2) v |= buf[i + 1] << 8;
    for (std::size_t k = 0; k <= rest; ++k) out += k_alphabet[(v >> (18 - 6 * k)) & 63];
  }
  return out;
}

std::string random_hex(std::size_t bytes) {
  auto buf = random_bytes(bytes);
  return to_hex(buf.data(), buf.size());
}

void register_secret(const std::string& secret) {
  if (secret.size() < 4) return;  // too short to redact without mangling ordinary text
  std::lock_guard lock(g_secrets_mutex);
  for (const auto& s : registered_secrets()) {
    if (s == secret) return;
  }
  registered_secrets().push_back(secret);
}

std::string redact(std::string text) {
  std::lock_guard lock(g_secrets_mutex);
  for (const auto& s : registered_secrets()) {
    for (std::size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos)) {
      text.replace(pos, s.size(), "[redacted]");
      pos += 10;
    }
  }
  return text;
}

}  // namespace driftd::util
