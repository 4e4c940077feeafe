#pragma once
// The identifiers devices send (SPEC §4): device ids and model versions are 1–64 characters
// of [A-Za-z0-9._:-].

#include <string_view>

namespace driftd::store {

// True when `id` is 1–64 characters of [A-Za-z0-9._:-].
bool is_valid_device_id(std::string_view id);

// Same rule as device ids.
bool is_valid_model_version(std::string_view version);

}  // namespace driftd::store
