#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "support/source_tree.hpp"

namespace dt = driftd::test;

namespace {

// Every route of SPEC section 4, plus the dashboard page.
const std::vector<std::pair<std::string, std::string>> k_spec_routes = {
    {"POST", "/api/v1/results"},
    {"POST", "/api/v1/clips"},
    {"GET", "/api/v1/drift"},
    {"GET", "/api/v1/drift/history"},
    {"POST", "/api/v1/drift/evaluate"},
    {"GET", "/api/v1/devices"},
    {"GET", "/api/v1/baselines"},
    {"GET", "/api/v1/retrains"},
    {"GET", "/api/v1/retrains/{id}"},
    {"POST", "/api/v1/retrains"},
    {"GET", "/healthz"},
    {"GET", "/readyz"},
    {"GET", "/metrics"},
    {"GET", "/"},
};

std::filesystem::path openapi_path() {
  return dt::source_dir() / "docs" / "openapi.yaml";
}

// A Python interpreter with PyYAML and jsonschema, Debian's first; empty when there is none.
std::string python_with_jsonschema() {
  for (const char* python : {"/usr/bin/python3", "python3"}) {
    const auto r = dt::run_command(std::string(python) + " -c 'import yaml, jsonschema'");
    if (r.exit_code == 0) return python;
  }
  return {};
}

}  // namespace

TEST_CASE("docs/openapi.yaml is OpenAPI 3.1 and documents every route of the contract") {
  const YAML::Node doc = YAML::LoadFile(openapi_path().string());
  CHECK(doc["openapi"].as<std::string>() == "3.1.0");
  CHECK(doc["components"]["securitySchemes"]["bearerAuth"]["scheme"].as<std::string>() == "bearer");
  for (const auto& [method, path] : k_spec_routes) {
    std::string lower = method;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK_MESSAGE(doc["paths"][path][lower].IsMap(), (method + " " + path));
  }
  for (const char* open : {"/healthz", "/readyz", "/metrics", "/"}) {
    CHECK_MESSAGE(doc["paths"][open]["get"]["security"].size() == 0, open);
  }
}

TEST_CASE("every OpenAPI example validates against its schema and every reference resolves") {
  const std::string python = python_with_jsonschema();
  if (python.empty()) {
    MESSAGE("python3 with yaml and jsonschema not found (scripts/install-deps.sh --extras)");
    return;
  }
  const auto routes = dt::artifact_dir("openapi") / "spec_routes.txt";
  {
    std::ofstream out(routes);
    for (const auto& [method, path] : k_spec_routes) out << method << ' ' << path << '\n';
  }
  const auto script = dt::source_dir() / "tests" / "docs" / "check_openapi.py";
  const auto result =
      dt::run_command(python + " -W ignore '" + script.string() + "' '" + openapi_path().string() +
                      "' --routes '" + routes.string() + "'");
  CHECK_MESSAGE(result.exit_code == 0, result.output);
  CHECK_MESSAGE(result.output.find(" 0 problems") != std::string::npos, result.output);
}
