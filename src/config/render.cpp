#include "driftd/config/render.hpp"

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "driftd/config/keys.hpp"
#include "driftd/util/duration.hpp"
#include "driftd/util/secrets.hpp"
#include "wording.hpp"

namespace driftd::config {

namespace {

// A string value safe to show: a URL's user:password part and anything that looks like
// a token (e.g. a key pasted where a variable name belongs) are masked.
std::string shown(const std::string& value) {
  if (looks_like_secret(value)) return "[redacted]";
  const auto scheme = value.find("://");
  if (scheme == std::string::npos) return value;
  const auto host_start = scheme + 3;
  const auto authority_end = value.find_first_of("/?#", host_start);
  const auto at =
      value.rfind('@', authority_end == std::string::npos ? value.size() : authority_end);
  if (at == std::string::npos || at < host_start) return value;
  return value.substr(0, host_start) + "[redacted]" + value.substr(at);
}

// Calls `emit` with the key's value in its natural C++ type (strings already masked).
template <typename Emit>
void visit_value(const Key& key, Config& config, Emit&& emit) {
  std::visit(
      [&](auto accessor) {
        auto& value = accessor(config);
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          emit(shown(value));
        } else {
          emit(value);
        }
      },
      key.field);
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  for (std::size_t start = 0;;) {
    const auto dot = path.find('.', start);
    out.push_back(path.substr(start, dot - start));
    if (dot == std::string_view::npos) return out;
    start = dot + 1;
  }
}

}  // namespace

std::string render_yaml(const Config& config) {
  Config copy = config;
  std::string out;
  std::vector<std::string_view> open;  // the sections the previous key was in
  for (const Key& key : keys()) {
    std::vector<std::string_view> parts = split_path(key.path);
    const std::string_view leaf = parts.back();
    parts.pop_back();
    std::size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) {
      ++common;
    }
    for (std::size_t depth = common; depth < parts.size(); ++depth) {
      out += std::string(2 * depth, ' ') + std::string(parts[depth]) + ":\n";
    }
    open = parts;
    out += std::string(2 * parts.size(), ' ') + std::string(leaf) + ": ";
    visit_value(key, copy, [&](const auto& value) {
      using T = std::decay_t<decltype(value)>;
      if constexpr (std::is_same_v<T, std::string>) {
        out += nlohmann::json(value).dump();  // a JSON string is a YAML double-quoted scalar
      } else if constexpr (std::is_same_v<T, bool>) {
        out += value ? "true" : "false";
      } else if constexpr (std::is_same_v<T, Duration>) {
        out += util::format_duration(value);
      } else if constexpr (std::is_same_v<T, double>) {
        out += format_number(value);
      } else {
        out += std::to_string(value);
      }
    });
    out += "\n";
  }
  return util::redact(std::move(out));
}

std::string render_json(const Config& config) {
  Config copy = config;
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  for (const Key& key : keys()) {
    std::string pointer = "/" + std::string(key.path);
    for (char& c : pointer) {
      if (c == '.') c = '/';
    }
    auto& slot = root[nlohmann::ordered_json::json_pointer(pointer)];
    visit_value(key, copy, [&](const auto& value) {
      using T = std::decay_t<decltype(value)>;
      if constexpr (std::is_same_v<T, Duration>) {
        slot = util::format_duration(value);
      } else {
        slot = value;
      }
    });
  }
  return util::redact(root.dump(2));
}

}  // namespace driftd::config
