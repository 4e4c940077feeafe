#include "driftd/store/store_config.hpp"

namespace driftd::store {

Durability durability_from_config(std::string_view synchronous) {
  return synchronous == "full" ? Durability::full : Durability::normal;
}

StoreOptions store_options_from_config(const config::Storage& storage) {
  StoreOptions options;
  options.database = storage.database;
  options.durability = durability_from_config(storage.synchronous);
  return options;
}

ClipArchiveOptions clip_archive_options_from_config(const config::Storage& storage) {
  ClipArchiveOptions options;
  options.dir = storage.clips_dir;
  options.max_bytes = storage.clips_max_bytes;
  return options;
}

}  // namespace driftd::store
