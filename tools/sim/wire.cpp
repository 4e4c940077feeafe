#include "driftd/sim/wire.hpp"

#include <cmath>

namespace driftd::sim {

namespace {

// The other class's score: rounded like the confidence, so the two sum to exactly 1.
double complement(double confidence) {
  return std::round((1.0 - confidence) * 1000.0) / 1000.0;
}

std::string other_label(SoundClass sound) {
  return std::string(
      label_of(sound == SoundClass::crying ? SoundClass::sleeping : SoundClass::crying));
}

}  // namespace

nlohmann::json result_json(const Reading& r) {
  const std::string label(label_of(r.sound));
  return {{"device_id", r.device_id},
          {"model_version", r.model_version},
          {"timestamp", util::format_rfc3339(r.timestamp_ms)},
          {"label", label},
          {"confidence", r.confidence},
          {"scores", {{label, r.confidence}, {other_label(r.sound), complement(r.confidence)}}},
          {"result_id", r.result_id}};
}

std::string results_body(std::span<const Reading> readings) {
  if (readings.size() == 1) return result_json(readings.front()).dump();
  nlohmann::json list = nlohmann::json::array();
  for (const Reading& r : readings) list.push_back(result_json(r));
  return nlohmann::json{{"results", std::move(list)}}.dump();
}

std::vector<std::pair<std::string, std::string>> clip_query(const Reading& r) {
  char confidence[16];
  std::snprintf(confidence, sizeof confidence, "%.3f", r.confidence);
  return {{"device_id", r.device_id},
          {"model_version", r.model_version},
          {"label", std::string(label_of(r.sound))},
          {"confidence", confidence},
          {"timestamp", util::format_rfc3339(r.timestamp_ms)},
          {"result_id", r.result_id}};
}

}  // namespace driftd::sim
