#include "driftd/store/ids.hpp"

namespace driftd::store {

namespace {

constexpr std::size_t k_max_id_length = 64;

bool is_id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

bool is_valid_id(std::string_view id) {
  if (id.empty() || id.size() > k_max_id_length) return false;
  for (char c : id) {
    if (!is_id_char(c)) return false;
  }
  return true;
}

}  // namespace

bool is_valid_device_id(std::string_view id) {
  return is_valid_id(id);
}

bool is_valid_model_version(std::string_view version) {
  return is_valid_id(version);
}

}  // namespace driftd::store
