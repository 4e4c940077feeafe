#pragma once
// A small key/value table for facts about the database itself (e.g. the readiness probe
// counter, an instance id). Not for domain data.

#include <optional>
#include <string>

#include "driftd/util/result.hpp"

namespace driftd::store {

class Store;

// The value stored under `key`, or nothing.
Result<std::optional<std::string>> read_meta(Store& store, const std::string& key);

// Stores `value` under `key`, replacing any previous value.
Status write_meta(Store& store, const std::string& key, const std::string& value);

}  // namespace driftd::store
