// The reader walks the YAML tree section by section. Each mapping key becomes a dotted
// path; the key table says whether the path is a section (walk into it), a value (convert
// and check it) or unknown (report it). Nothing stops the walk: every problem of the file
// is reported in one pass, each at the line of the node it is about.

#include "yaml_reader.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>

#include "driftd/config/keys.hpp"
#include "driftd/util/duration.hpp"
#include "suggest.hpp"
#include "wording.hpp"

namespace driftd::config {

namespace {

int line_of(const YAML::Node& node) {
  return node.Mark().line + 1;
}

// The line a value problem points at: a scalar's own line (a multi-line scalar may start
// below its key), else the key's line. Not the mark of an empty value (yaml-cpp gives the
// next token's), of a section or list (its first entry's) or of an alias (its anchor's).
int value_line(const YAML::Node& key, const YAML::Node& value) {
  const int key_line = line_of(key);
  if (!value.IsScalar()) return key_line;
  return std::max(key_line, line_of(value));
}

bool is_quoted(const YAML::Node& node) {
  return node.IsScalar() && node.Tag() == "!";
}

std::string expected_kind(const Key& key) {
  switch (key.type) {
    case ValueType::string:
      return "a single text value";
    case ValueType::integer:
      return "a whole number";
    case ValueType::number:
      return "a number";
    case ValueType::boolean:
      return "true or false";
    case ValueType::duration:
      return "a duration (e.g. 500ms, 30s, 5m, 24h, 7d)";
    case ValueType::byte_size:
      return "a whole number of bytes";
    case ValueType::enumeration: {
      std::string out = "one of ";
      for (std::size_t i = 0; i < key.allowed.size(); ++i) {
        out += (i == 0 ? "" : ", ") + std::string(key.allowed[i]);
      }
      return out;
    }
  }
  return "a value";
}

std::string describe_node(const YAML::Node& node) {
  if (node.IsMap()) return "a section of keys";
  if (node.IsSequence()) return "a list";
  if (node.IsNull()) return "nothing";
  if (is_quoted(node)) return "the quoted text " + quote(node.Scalar()) + " (remove the quotes)";
  return quote(node.Scalar());
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  if (text.starts_with('+')) text.remove_prefix(1);
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_number(std::string_view text) {
  if (text.starts_with('+')) text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

bool within(const Bounds& b, double v) {
  if (b.min_exclusive ? !(v > b.min) : !(v >= b.min)) return false;
  if (b.max_exclusive ? !(v < b.max) : !(v <= b.max)) return false;
  return true;
}

template <typename T>
T* field_of(const Key& key, Config& config) {
  if (auto* accessor = std::get_if<T& (*)(Config&)>(&key.field)) return &(*accessor)(config);
  return nullptr;
}

class Reader {
 public:
  Reader(const std::string& file, Config& config, SourceLines& lines,
         std::vector<Problem>& problems)
      : m_file(file), m_config(config), m_lines(lines), m_problems(problems) {}

  void read_section(const YAML::Node& map, const std::string& section) {
    std::map<std::string, int> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      const YAML::Node key_node = it->first;  // copies: the iterator hands out temporaries
      const YAML::Node value = it->second;
      const int key_line = line_of(key_node);
      if (!key_node.IsScalar()) {
        report(key_line, "keys must be plain names" +
                             (section.empty() ? std::string() : " (in section " + section + ")"));
        continue;
      }
      const std::string& name = key_node.Scalar();
      const std::string path = section.empty() ? name : section + "." + name;
      if (auto [first, inserted] = seen.emplace(name, key_line); !inserted) {
        report(key_line, path + " is set twice (first on line " + std::to_string(first->second) +
                             "); keep one");
        continue;
      }
      const Key* key = find_key(path);
      if (name.find('.') != std::string::npos) {
        report(key_line, "unknown key " + quote(path) +
                             ": write sections nested, one name per level, not dotted");
      } else if (key != nullptr) {
        read_value(*key, value, value_line(key_node, value));
      } else if (is_section(path)) {
        m_lines.record(path, key_line);
        if (value.IsMap()) {
          read_section(value, path);
        } else if (!value.IsNull()) {
          report(value_line(key_node, value),
                 path + " must be a section of keys (indented on the lines below it), got " +
                     describe_node(value));
        }
      } else {
        report(key_line, "unknown key " + path + unknown_key_hint(section, name));
      }
    }
  }

  void report(int line, std::string message) {
    m_problems.push_back(Problem{m_file, line, std::move(message)});
  }

 private:
  void read_value(const Key& key, const YAML::Node& value, int line) {
    const std::string path(key.path);
    m_lines.record(path, line);
    std::string complaint = convert(key, value);
    if (complaint.empty()) return;
    m_lines.mark_invalid(path);
    report(line, path + " " + complaint);
  }

  // Stores the value in its field; returns "" or the end of the sentence saying why not.
  std::string convert(const Key& key, const YAML::Node& value) {
    const auto type_error = [&] {
      return "must be " + expected_kind(key) + ", got " + describe_node(value);
    };
    if (!value.IsNull() && !value.IsScalar()) return type_error();
    const std::string text = value.IsNull() ? std::string() : value.Scalar();
    const bool quoted = is_quoted(value);

    switch (key.type) {
      case ValueType::string:
      case ValueType::enumeration: {
        if (key.type == ValueType::enumeration && value.IsNull()) return type_error();
        if (key.text_check != nullptr) {
          if (std::string why = key.text_check(text); !why.empty()) return why;
        }
        if (key.type == ValueType::enumeration &&
            std::find(key.allowed.begin(), key.allowed.end(), text) == key.allowed.end()) {
          return type_error();
        }
        *field_of<std::string>(key, m_config) = text;
        return "";
      }
      case ValueType::boolean: {
        if (quoted || value.IsNull()) return type_error();
        if (text == "true" || text == "True" || text == "TRUE") {
          *field_of<bool>(key, m_config) = true;
        } else if (text == "false" || text == "False" || text == "FALSE") {
          *field_of<bool>(key, m_config) = false;
        } else {
          return type_error();
        }
        return "";
      }
      case ValueType::integer:
      case ValueType::byte_size: {
        const auto parsed = parse_integer(text);
        if (quoted || !parsed) return type_error();
        return store_integer(key, *parsed);
      }
      case ValueType::number: {
        const auto parsed = parse_number(text);
        if (quoted || !parsed) return type_error();
        if (!within(key.bounds, *parsed)) return out_of_bounds(key, format_number(*parsed));
        *field_of<double>(key, m_config) = *parsed;
        return "";
      }
      case ValueType::duration: {
        if (value.IsNull()) return type_error();
        auto parsed = util::parse_duration(text);
        if (!parsed) return "is not a valid duration: " + parsed.error().message;
        if (!within(key.bounds, static_cast<double>(parsed->count()))) {
          return out_of_bounds(key, util::format_duration(*parsed));
        }
        *field_of<Duration>(key, m_config) = *parsed;
        return "";
      }
    }
    return type_error();
  }

  std::string store_integer(const Key& key, std::int64_t value) {
    if (!within(key.bounds, static_cast<double>(value))) {
      return out_of_bounds(key, std::to_string(value));
    }
    if (key.integer_check != nullptr) {
      if (std::string why = key.integer_check(value); !why.empty()) return why;
    }
    if (int* narrow = field_of<int>(key, m_config)) {
      if (value > std::numeric_limits<int>::max() || value < std::numeric_limits<int>::min()) {
        return "is too large, got " + std::to_string(value);
      }
      *narrow = static_cast<int>(value);
    } else {
      *field_of<std::int64_t>(key, m_config) = value;
    }
    return "";
  }

  static std::string out_of_bounds(const Key& key, const std::string& shown) {
    return "must be " + describe_bounds(key.bounds, key.type) + ", got " + shown;
  }

  const std::string& m_file;
  Config& m_config;
  SourceLines& m_lines;
  std::vector<Problem>& m_problems;
};

}  // namespace

bool read_document(const YAML::Node& root, const std::string& file, Config& config,
                   SourceLines& lines, std::vector<Problem>& problems) {
  Reader reader(file, config, lines, problems);
  if (!root.IsDefined() || root.IsNull()) return true;
  if (!root.IsMap()) {
    reader.report(
        line_of(root),
        "the file must hold sections of keys (server:, storage:, ...), got " + describe_node(root));
    return false;
  }
  reader.read_section(root, "");
  return true;
}

}  // namespace driftd::config
