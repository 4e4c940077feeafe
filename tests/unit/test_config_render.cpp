#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "driftd/config/keys.hpp"
#include "driftd/config/loader.hpp"
#include "driftd/config/render.hpp"
#include "test_config_support.hpp"

using namespace driftd::config;
using namespace driftd::config::test;
using namespace std::chrono_literals;

TEST_CASE("every key's field has the C++ type its value type needs") {
  for (const Key& key : keys()) {
    bool ok = false;
    switch (key.type) {
      case ValueType::string:
      case ValueType::enumeration:
        ok = std::holds_alternative<std::string& (*)(Config&)>(key.field);
        break;
      case ValueType::integer:
      case ValueType::byte_size:
        ok = std::holds_alternative<int& (*)(Config&)>(key.field) ||
             std::holds_alternative<std::int64_t& (*)(Config&)>(key.field);
        break;
      case ValueType::number:
        ok = std::holds_alternative<double& (*)(Config&)>(key.field);
        break;
      case ValueType::boolean:
        ok = std::holds_alternative<bool& (*)(Config&)>(key.field);
        break;
      case ValueType::duration:
        ok = std::holds_alternative<Duration& (*)(Config&)>(key.field);
        break;
    }
    CHECK_MESSAGE(ok, key.path);
    CHECK(find_key(key.path) == &key);
  }
  CHECK(find_key("server") == nullptr);
  CHECK(is_section("features.mfcc"));
  CHECK_FALSE(is_section("features.mfcc.fft_length"));
  CHECK_FALSE(is_section("feat"));
}

TEST_CASE("the rendered YAML loads back to the same config") {
  Config c;
  c.server.listen = "[::1]:9000";
  c.server.rate_limit_per_device = 2.5;
  c.storage.results_retention = 90min;
  c.features.mfcc.frame_stride = 0.01;
  c.retrain.dry_run = true;
  c.retrain.category = "split";
  c.edge_impulse.model_version = "v\"2\" \xc3\xa9";
  c.github.repository = "acme/fw";
  const std::string yaml = render_yaml(c);
  CHECK(yaml.find("server:\n  listen: \"[::1]:9000\"\n  threads: 8\n") == 0);
  CHECK(yaml.find("  mfcc:\n    implementation_version: 4\n") != std::string::npos);
  CHECK(yaml.find("results_retention: 90m\n") != std::string::npos);

  const LoadOutcome back = load(yaml);
  CHECK_MESSAGE(back.ok(), (back.ok() ? "" : back.problems.front().to_string()));
  CHECK(render_yaml(back.config) == yaml);
  CHECK(back.config.edge_impulse.model_version == c.edge_impulse.model_version);
}

TEST_CASE("the rendered JSON nests sections and writes durations as text") {
  const auto json = nlohmann::json::parse(render_json(Config{}));
  CHECK(json["server"]["threads"] == 8);
  CHECK(json["storage"]["clips_max_bytes"] == 5368709120LL);
  CHECK(json["features"]["mfcc"]["pre_cof"] == 0.98);
  CHECK(json["features"]["zero_pad"] == true);
  CHECK(json["drift"]["window"] == "1d");
  CHECK(json["retrain"]["poll_interval"] == "10s");
  CHECK(json["logging"]["format"] == "text");
  std::size_t leaves = 0;
  for (const auto& [section, values] : json.items()) {
    for (const auto& [name, value] : values.items()) leaves += value.is_object() ? value.size() : 1;
  }
  CHECK(leaves == keys().size());
}
