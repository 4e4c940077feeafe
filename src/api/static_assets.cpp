// Lookup of the embedded dashboard files. The table itself is generated from web/ at build
// time (cmake/EmbedWebAssets.cmake) into driftd::api::generated::assets(), sorted by path.
#include "driftd/api/static_assets.hpp"

#include <algorithm>

namespace driftd::api {

namespace generated {
std::span<const Asset> assets();  // defined in the generated web_assets_embedded.cpp
}  // namespace generated

std::optional<Asset> find_asset(std::string_view path) {
  if (path == "/") path = "/index.html";
  const auto table = generated::assets();
  const auto it = std::lower_bound(table.begin(), table.end(), path,
                                   [](const Asset& a, std::string_view p) { return a.path < p; });
  if (it == table.end() || it->path != path) return std::nullopt;
  return *it;
}

std::span<const Asset> all_assets() {
  return generated::assets();
}

}  // namespace driftd::api
