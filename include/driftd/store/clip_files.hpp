#pragma once
// The clip folder (storage.clips_dir) as a content-addressed file store: the bytes of a
// clip live at `<dir>/<first two hex digits>/<sha256>.<ext>`, exactly as uploaded. Files
// appear atomically (written to a temp file in the same folder, synced, then linked into
// place and the folder synced), so a reader never sees half a file and a crash leaves at
// most a temp file, which sweep() removes. No SQLite here: which files are still needed is
// the database's business (clip_archive.hpp).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "driftd/util/result.hpp"

namespace driftd::store {

// The path of a clip's file relative to the clip folder: "ab/<sha256>.<extension>".
// `sha256` is 64 lowercase hex digits; `extension` is e.g. "wav" or "flac".
std::string clip_relative_path(std::string_view sha256, std::string_view extension);

// True for names clip_relative_path() makes (and so sweep() manages).
bool is_clip_relative_path(std::string_view relative_path);

class ClipFiles {
 public:
  explicit ClipFiles(std::filesystem::path dir) : m_dir(std::move(dir)) {}

  const std::filesystem::path& dir() const { return m_dir; }
  std::filesystem::path absolute(std::string_view relative_path) const {
    return m_dir / relative_path;
  }

  // Creates the clip folder (and parents) when missing. storage_unavailable when it cannot.
  Status ensure_dir() const;

  // Writes `bytes` to `relative_path` unless a file is already there (content addressing:
  // same path, same bytes). Returns true when this call created the file, false when it
  // existed. storage_unavailable on any I/O failure; nothing is left behind then.
  Result<bool> write_once(std::string_view relative_path, std::string_view bytes) const;

  // Creates and removes a temp file in the clip folder: storage_unavailable with the
  // system's reason (read-only, no space, no permission) when the folder takes no files.
  Status probe_writable() const;

  // Removes the file; returns its size, or 0 when there was none.
  // storage_unavailable when it exists but cannot be removed.
  Result<std::uintmax_t> remove(std::string_view relative_path) const;

  // Size of the file, or nothing when it does not exist.
  std::optional<std::uintmax_t> size_of(std::string_view relative_path) const;

  // One pass over the folder: deletes leftover temp files (from a crash mid-write) and
  // calls `visit(relative_path, size)` for every clip file. Other files are left alone.
  // Returns how many temp files were removed.
  Result<std::size_t> sweep(const std::function<void(const std::string& relative_path,
                                                     std::uintmax_t size)>& visit) const;

 private:
  std::filesystem::path m_dir;
};

}  // namespace driftd::store
