#pragma once
// The store's options from the config's `storage` section, in one place for every command
// that opens the database or the clip folder (serve, migrate, token, baseline).

#include <string_view>

#include "driftd/config/config.hpp"
#include "driftd/store/clip_archive.hpp"
#include "driftd/store/store.hpp"

namespace driftd::store {

// storage.synchronous: "full" → Durability::full; anything else (the default "normal",
// which config validation ensures) → Durability::normal.
Durability durability_from_config(std::string_view synchronous);

// StoreOptions with storage.database and storage.synchronous; the rest at its defaults.
StoreOptions store_options_from_config(const config::Storage& storage);

// ClipArchiveOptions with storage.clips_dir and storage.clips_max_bytes.
ClipArchiveOptions clip_archive_options_from_config(const config::Storage& storage);

}  // namespace driftd::store
