#pragma once
// Checks of single request fields, shared by the results body (JSON values) and the clip
// upload's query parameters, so that the same value gets the same answer on every route.
// Each check returns the valid value or throws ApiError 400 naming the field (and the batch
// index, when there is one). Pure: no I/O, time enters as an argument.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "driftd/api/api_error.hpp"
#include "driftd/util/time.hpp"

namespace driftd::api {

inline constexpr std::size_t k_max_label_chars = 128;
inline constexpr std::size_t k_max_result_id_chars = 128;

// True for 1–64 characters of [A-Za-z0-9._:-] (device ids and model versions).
bool is_valid_identifier(std::string_view id);

// Where a value sits, for error messages and the error's `index`: the batch position and a
// path prefix such as "results[3]." (both empty for a single result or a query string).
struct FieldContext {
  std::optional<std::size_t> index;
  std::string prefix;

  std::string where(const std::string& field) const { return prefix + field; }
};

// A timestamp: an RFC 3339 string or integer Unix milliseconds, from 2000-01-01 to one day
// after `received_at` (invalid_timestamp; a value that looks like Unix seconds is refused
// with a hint).
util::UnixMs parse_timestamp(const nlohmann::json& value, util::UnixMs received_at,
                             const FieldContext& ctx);
// A number in [0, 1] (invalid_type, out_of_range); `what` names it in the message.
double parse_unit_number(const nlohmann::json& value, const std::string& what,
                         const std::string& field, const FieldContext& ctx);
// Text of 1..max_chars characters without control characters (invalid_type,
// invalid_length, invalid_characters).
std::string parse_label_text(const nlohmann::json& value, const std::string& what,
                             const std::string& field, std::size_t max_chars,
                             const FieldContext& ctx);
// A device id or model version (invalid_<field>).
std::string parse_identifier(const std::string& value, const std::string& field,
                             const FieldContext& ctx);

// The same checks on query parameters, which arrive as text. Text that is not valid
// UTF-8 is refused first (invalid_encoding).
// Digits (optionally signed) are Unix milliseconds, anything else RFC 3339.
util::UnixMs parse_timestamp_query(const std::string& text, util::UnixMs received_at,
                                   const FieldContext& ctx);
// A decimal number in [0, 1] (invalid_type when not a number).
double parse_unit_number_query(const std::string& text, const std::string& field,
                               const FieldContext& ctx);
// Label-like text, as parse_label_text().
std::string parse_label_query(const std::string& text, const std::string& field,
                              std::size_t max_chars, const FieldContext& ctx);

}  // namespace driftd::api
