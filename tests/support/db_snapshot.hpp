#pragma once
// What a test compares to prove that rejected requests changed nothing on disk: the
// logical content of a SQLite database (schema and every row of every table) and the
// files under a folder.

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace driftd::test {

// The schema (sqlite_master) and the rows of every table as text, one line per row,
// tables in name order and rows sorted, so two databases with the same content give the
// same text whatever their page layout. A column named in `masked` ("table.column") is
// shown as "*"; a table named as "table.*" has its rows left out. Opens the file read-only; the
// daemon must not be running.
std::string database_content(const std::filesystem::path& database,
                             const std::set<std::string>& masked = {});

// The first line where two texts differ, "" when they are equal (for failure messages).
std::string first_difference(const std::string& before, const std::string& after);

struct FolderEntry {
  std::string path;  // relative to the folder
  std::uintmax_t size = 0;
  bool operator==(const FolderEntry&) const = default;
};

// Every regular file under `folder`, sorted by path; empty when the folder is missing.
std::vector<FolderEntry> folder_listing(const std::filesystem::path& folder);

}  // namespace driftd::test
