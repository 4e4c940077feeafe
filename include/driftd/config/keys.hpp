#pragma once
// The one table of configuration keys (SPEC §3, plus any key the team adds): for each key
// its dotted path, value type, allowed range or values, extra check and the Config field
// it fills. The YAML reader, the validation, the renderer and the tests are all driven by
// this table; defaults are the initializers in config.hpp.

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "driftd/config/config.hpp"

namespace driftd::config {

enum class ValueType {
  string,       // any scalar text; null means ""
  integer,      // a whole number (64-bit; narrower when the field is an int)
  number,       // a finite decimal number
  boolean,      // true | false
  duration,     // "500ms", "30s", "5m", "24h", "7d" (util::parse_duration)
  byte_size,    // a whole number of bytes
  enumeration,  // one of Key::allowed
};

// Where a key's value lives in a Config.
using FieldRef =
    std::variant<std::string& (*)(Config&), int& (*)(Config&), std::int64_t& (*)(Config&),
                 double& (*)(Config&), bool& (*)(Config&), Duration& (*)(Config&)>;

// Bounds for integer, number, byte-size and duration keys (durations in milliseconds).
struct Bounds {
  double min = -std::numeric_limits<double>::infinity();
  bool min_exclusive = false;
  double max = std::numeric_limits<double>::infinity();
  bool max_exclusive = false;
};

// Extra checks on a value that has the right type and is within bounds. They return ""
// when the value is fine, else the end of a sentence that starts with the key's path
// ("must be ..., got '...'"). They never echo a value that looks like a secret.
using TextCheck = std::string (*)(const std::string& value);
using IntegerCheck = std::string (*)(std::int64_t value);

// One configuration key: where it is written, what it holds and what it accepts.
struct Key {
  std::string_view path;  // dotted, e.g. "features.mfcc.fft_length"
  FieldRef field;
  ValueType type = ValueType::string;
  Bounds bounds{};
  std::span<const std::string_view> allowed{};  // enumeration: the accepted values
  TextCheck text_check = nullptr;               // string/enumeration (runs before `allowed`)
  IntegerCheck integer_check = nullptr;         // integer/byte_size
};

// Every key, grouped by section in the order of the shipped config file.
std::span<const Key> keys();

// The key with this dotted path, or nullptr.
const Key* find_key(std::string_view path);

// True for "server", "features", "features.mfcc": paths that hold keys rather than values.
bool is_section(std::string_view path);

}  // namespace driftd::config
