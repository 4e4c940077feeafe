#include "driftd/api/clip_params.hpp"

#include <array>
#include <string_view>

#include "driftd/api/api_error.hpp"
#include "driftd/api/field_validation.hpp"

namespace driftd::api {

namespace {

constexpr std::array<std::string_view, 6> k_parameters = {
    "device_id", "model_version", "label", "confidence", "timestamp", "result_id"};

// The single value of `name`, if given.
std::optional<std::string> single(const std::multimap<std::string, std::string>& query,
                                  const std::string& name) {
  auto [first, last] = query.equal_range(name);
  if (first == last) return std::nullopt;
  if (std::next(first) != last) {
    throw ApiError(400, "invalid_query", "query parameter '" + name + "' is given more than once",
                   name);
  }
  return first->second;
}

std::string required(const std::multimap<std::string, std::string>& query,
                     const std::string& name) {
  auto value = single(query, name);
  if (!value) {
    throw ApiError(400, "missing_parameter", "query parameter '" + name + "' is required", name);
  }
  return *value;
}

}  // namespace

ClipParams parse_clip_params(const std::multimap<std::string, std::string>& query,
                             util::UnixMs received_at) {
  for (const auto& [name, value] : query) {
    bool known = false;
    for (std::string_view p : k_parameters) known = known || p == name;
    if (!known) {
      throw ApiError(400, "unknown_parameter",
                     "unknown query parameter '" + name +
                         "' (known: device_id, model_version, label, confidence, timestamp, "
                         "result_id)",
                     name);
    }
  }
  const FieldContext ctx;
  ClipParams p;
  p.device_id = parse_identifier(required(query, "device_id"), "device_id", ctx);
  p.model_version = parse_identifier(required(query, "model_version"), "model_version", ctx);
  if (auto label = single(query, "label")) {
    p.label = parse_label_query(*label, "label", k_max_label_chars, ctx);
  }
  if (auto confidence = single(query, "confidence")) {
    p.confidence = parse_unit_number_query(*confidence, "confidence", ctx);
  }
  auto timestamp = single(query, "timestamp");
  p.timestamp = timestamp ? parse_timestamp_query(*timestamp, received_at, ctx) : received_at;
  if (auto result_id = single(query, "result_id")) {
    p.result_id = parse_label_query(*result_id, "result_id", k_max_result_id_chars, ctx);
  }
  return p;
}

}  // namespace driftd::api
