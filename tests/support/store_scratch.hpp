#pragma once
// Real SQLite files for store tests: a scratch folder removed afterwards, and a store
// opened in it (failing the test when it cannot be opened).

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>

#include "driftd/store/store.hpp"

namespace driftd::test {

// A fresh folder under the system temp dir, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "driftd-store-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) FAIL("cannot create a temp folder");
    m_path = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

// Opens (and migrates) the store at `database`, with `options` otherwise.
inline std::unique_ptr<store::Store> open_store(const std::filesystem::path& database,
                                                store::StoreOptions options = {}) {
  options.database = database;
  auto opened = store::Store::open(std::move(options), 1'000);
  REQUIRE_MESSAGE(opened.ok(), (opened.ok() ? "" : opened.error().message));
  return std::move(opened.value());
}

// The bytes of a file, empty when it does not exist.
inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace driftd::test
