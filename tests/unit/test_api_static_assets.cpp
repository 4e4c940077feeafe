#include <doctest/doctest.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "driftd/api/static_assets.hpp"
#include "support/source_tree.hpp"

using driftd::api::all_assets;
using driftd::api::find_asset;

namespace {
std::string read_web_file(const std::string& name) {
  std::ifstream in(driftd::test::source_dir() / "web" / name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("the dashboard page is served at / and at /index.html with the bytes of web/") {
  const auto root = find_asset("/");
  REQUIRE(root.has_value());
  CHECK(root->path == "/index.html");
  CHECK(root->content_type == "text/html; charset=utf-8");
  CHECK(root->bytes == read_web_file("index.html"));
  const auto page = find_asset("/index.html");
  REQUIRE(page.has_value());
  CHECK(page->bytes.data() == root->bytes.data());
}

TEST_CASE("scripts, styles and images carry their content types and match web/ exactly") {
  for (const auto& asset : all_assets()) {
    CAPTURE(asset.path);
    CHECK(asset.bytes == read_web_file(std::string(asset.path.substr(1))));
    CHECK(asset.etag.size() == 18);
    CHECK(asset.etag.front() == '"');
  }
  CHECK(find_asset("/app.js")->content_type == "text/javascript; charset=utf-8");
  CHECK(find_asset("/chart.js")->content_type == "text/javascript; charset=utf-8");
  CHECK(find_asset("/style.css")->content_type == "text/css; charset=utf-8");
  CHECK(find_asset("/favicon.svg")->content_type == "image/svg+xml");
}

TEST_CASE("every file of web/ is embedded and the page references only embedded files") {
  std::size_t files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(driftd::test::source_dir() / "web")) {
    if (!entry.is_regular_file() || entry.path().filename().string().starts_with(".")) continue;
    ++files;
    CHECK_MESSAGE(find_asset("/" + entry.path().filename().string()).has_value(), entry.path());
  }
  CHECK(all_assets().size() == files);
  const std::string html = read_web_file("index.html");
  // Every file the page loads is embedded, and every embedded script is loaded.
  const std::regex ref("(?:src|href)=\"([A-Za-z0-9_.-]+\\.(?:js|css|svg))\"");
  std::vector<std::string> referenced;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), ref); it != std::sregex_iterator();
       ++it) {
    referenced.push_back((*it)[1].str());
    CHECK_MESSAGE(find_asset("/" + (*it)[1].str()).has_value(), (*it)[1].str());
  }
  for (const auto& asset : all_assets()) {
    const std::string name(asset.path.substr(1));
    if (name.ends_with(".js")) {
      CHECK_MESSAGE(std::find(referenced.begin(), referenced.end(), name) != referenced.end(),
                    name);
    }
  }
  CHECK(html.find("http://") == std::string::npos);  // no outside hosts
  CHECK(html.find("https://") == std::string::npos);
}

TEST_CASE("unknown paths and path tricks find no asset") {
  for (const char* path : {"", "/nope.js", "/app.js/", "//app.js", "/../app.js", "/web/app.js",
                           "app.js", "/APP.JS", "/index.html?x=1"}) {
    CHECK_MESSAGE(!find_asset(path).has_value(), path);
  }
}

TEST_CASE("docs/openapi.yaml names exactly the embedded dashboard files") {
  const YAML::Node doc =
      YAML::LoadFile((driftd::test::source_dir() / "docs" / "openapi.yaml").string());
  std::vector<std::string> documented;
  for (const auto& name : doc["paths"]["/{asset}"]["get"]["parameters"][0]["schema"]["enum"]) {
    documented.push_back(name.as<std::string>());
  }
  std::vector<std::string> embedded;
  for (const auto& asset : all_assets()) embedded.emplace_back(asset.path.substr(1));
  std::sort(documented.begin(), documented.end());
  CHECK(documented == embedded);
}
