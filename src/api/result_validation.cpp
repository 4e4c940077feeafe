#include "driftd/api/result_validation.hpp"

#include <cmath>
#include <set>

namespace driftd::api {

namespace {

constexpr std::size_t k_max_scores = 1000;
constexpr std::size_t k_max_parser_message = 200;
const std::set<std::string, std::less<>> k_result_fields = {
    "device_id",  "model_version", "timestamp", "label",
    "confidence", "scores",        "result_id", "features"};

[[noreturn]] void fail(std::string code, const std::string& message, std::string field,
                       std::optional<std::size_t> index) {
  throw ApiError(400, std::move(code), message, std::move(field), index);
}

std::string require_identifier(const nlohmann::json& obj, const char* name,
                               const FieldContext& ctx) {
  auto it = obj.find(name);
  if (it == obj.end()) {
    fail("missing_field", ctx.where(name) + " is required", name, ctx.index);
  }
  if (!it->is_string()) {
    fail("invalid_type", ctx.where(name) + " must be a string", name, ctx.index);
  }
  return parse_identifier(it->get_ref<const std::string&>(), name, ctx);
}

std::vector<std::vector<double>> parse_features(const nlohmann::json& v, std::size_t width,
                                                const FieldContext& ctx) {
  const std::string what = ctx.where("features");
  if (!v.is_array() || v.empty() || v.size() > k_max_feature_windows) {
    fail("invalid_features",
         what + " must be a non-empty array of at most " + std::to_string(k_max_feature_windows) +
             " windows",
         "features", ctx.index);
  }
  std::vector<std::vector<double>> windows;
  windows.reserve(v.size());
  for (const auto& w : v) {
    if (!w.is_array() || w.size() != width) {
      fail("invalid_features",
           what + " windows must each be an array of " + std::to_string(width) +
               " numbers (mfcc_0..mfcc_" + std::to_string(width - 2) + ", rms_dbfs)",
           "features", ctx.index);
    }
    std::vector<double> row;
    row.reserve(width);
    for (const auto& x : w) {
      if (!x.is_number() || !std::isfinite(x.get<double>())) {
        fail("invalid_features", what + " values must be finite numbers", "features", ctx.index);
      }
      row.push_back(x.get<double>());
    }
    windows.push_back(std::move(row));
  }
  return windows;
}

ResultRecord parse_one(const nlohmann::json& obj, util::UnixMs received_at,
                       std::size_t feature_width, const FieldContext& ctx) {
  if (!obj.is_object()) {
    fail("invalid_type",
         (ctx.prefix.empty() ? std::string("the body") : ctx.prefix) + " must be a JSON object", "",
         ctx.index);
  }
  for (const auto& [key, value] : obj.items()) {
    if (!k_result_fields.contains(key)) {
      fail("unknown_field", "unknown field '" + ctx.where(key) + "'", key, ctx.index);
    }
  }
  ResultRecord r;
  r.device_id = require_identifier(obj, "device_id", ctx);
  r.model_version = require_identifier(obj, "model_version", ctx);

  auto label = obj.find("label");
  if (label == obj.end())
    fail("missing_field", ctx.where("label") + " is required", "label", ctx.index);
  r.label = parse_label_text(*label, ctx.where("label"), "label", k_max_label_chars, ctx);

  auto confidence = obj.find("confidence");
  if (confidence == obj.end()) {
    fail("missing_field", ctx.where("confidence") + " is required", "confidence", ctx.index);
  }
  r.confidence = parse_unit_number(*confidence, ctx.where("confidence"), "confidence", ctx);

  auto ts = obj.find("timestamp");
  r.timestamp =
      (ts == obj.end() || ts->is_null()) ? received_at : parse_timestamp(*ts, received_at, ctx);

  if (auto scores = obj.find("scores"); scores != obj.end() && !scores->is_null()) {
    if (!scores->is_object() || scores->size() > k_max_scores) {
      fail("invalid_scores",
           ctx.where("scores") + " must be an object of at most " + std::to_string(k_max_scores) +
               " label: score pairs",
           "scores", ctx.index);
    }
    for (const auto& [key, value] : scores->items()) {
      std::string what = ctx.where("scores") + "['" + key + "']";
      parse_label_text(nlohmann::json(key), ctx.where("scores") + " labels", "scores",
                       k_max_label_chars, ctx);
      r.scores[key] = parse_unit_number(value, what, "scores", ctx);
    }
  }
  if (auto rid = obj.find("result_id"); rid != obj.end() && !rid->is_null()) {
    r.result_id =
        parse_label_text(*rid, ctx.where("result_id"), "result_id", k_max_result_id_chars, ctx);
  }
  if (auto features = obj.find("features"); features != obj.end() && !features->is_null()) {
    r.feature_windows = parse_features(*features, feature_width, ctx);
  }
  return r;
}

}  // namespace

nlohmann::json parse_json_body(std::string_view body) {
  bool too_deep = false;
  auto depth_guard = [&too_deep](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > k_max_json_depth) too_deep = true;
    return !too_deep;
  };
  try {
    auto j = nlohmann::json::parse(body.begin(), body.end(), depth_guard);
    if (too_deep) {
      throw ApiError(
          400, "malformed_json",
          "the JSON is nested deeper than " + std::to_string(k_max_json_depth) + " levels");
    }
    return j;
  } catch (const nlohmann::json::exception& e) {
    // parse_error for bad syntax, and out_of_range (406) for a number too large for a
    // double (1e400): both are the client's malformed body, never a server fault.
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> keep the tail
    if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
    // The parser quotes the offending token, which may be most of the body.
    if (what.size() > k_max_parser_message) what = what.substr(0, k_max_parser_message) + "...";
    throw ApiError(400, "malformed_json", "the body is not valid JSON: " + what);
  }
}

std::vector<ResultRecord> parse_results(const nlohmann::json& body, util::UnixMs received_at,
                                        std::size_t feature_width) {
  if (!body.is_object()) {
    throw ApiError(400, "invalid_type", "the body must be a result object or {\"results\": [...]}");
  }
  std::vector<ResultRecord> out;
  auto batch = body.find("results");
  if (batch == body.end()) {
    out.push_back(parse_one(body, received_at, feature_width, FieldContext{}));
    return out;
  }
  if (body.size() != 1) {
    throw ApiError(400, "unknown_field", "a batch body has only the field 'results'");
  }
  if (!batch->is_array()) {
    throw ApiError(400, "invalid_type", "'results' must be an array", "results");
  }
  if (batch->empty()) {
    throw ApiError(400, "empty_batch", "'results' must hold at least one result", "results");
  }
  if (batch->size() > k_max_batch_results) {
    throw ApiError(413, "batch_too_large",
                   "a batch holds at most " + std::to_string(k_max_batch_results) +
                       " results; got " + std::to_string(batch->size()),
                   "results");
  }
  out.reserve(batch->size());
  for (std::size_t i = 0; i < batch->size(); ++i) {
    FieldContext ctx{i, "results[" + std::to_string(i) + "]."};
    out.push_back(parse_one((*batch)[i], received_at, feature_width, ctx));
  }
  return out;
}

}  // namespace driftd::api
