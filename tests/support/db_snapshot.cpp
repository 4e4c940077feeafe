#include "support/db_snapshot.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace driftd::test {

namespace {

std::string render(const SQLite::Column& column) {
  char number[64];
  switch (column.getType()) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_INTEGER:
      return "i:" + std::to_string(column.getInt64());
    case SQLITE_FLOAT:
      std::snprintf(number, sizeof number, "f:%.17g", column.getDouble());
      return number;
    case SQLITE_BLOB: {
      const auto* bytes = static_cast<const unsigned char*>(column.getBlob());
      std::string hex = "x:";
      for (int i = 0; i < column.getBytes(); ++i) {
        std::snprintf(number, sizeof number, "%02x", bytes[i]);
        hex += number;
      }
      return hex;
    }
    default:
      return "t:" + column.getString();
  }
}

}  // namespace

std::string database_content(const std::filesystem::path& database,
                             const std::set<std::string>& masked) {
  SQLite::Database db(database.string(), SQLite::OPEN_READONLY);
  std::ostringstream out;
  std::vector<std::string> tables;
  SQLite::Statement schema(db,
                           "SELECT type, name, tbl_name, sql FROM sqlite_master "
                           "ORDER BY type, name");
  while (schema.executeStep()) {
    out << "schema " << schema.getColumn(0).getString() << ' ' << schema.getColumn(1).getString()
        << ": " << schema.getColumn(3).getString() << '\n';
    if (schema.getColumn(0).getString() == "table")
      tables.push_back(schema.getColumn(1).getString());
  }
  for (const auto& table : tables) {
    if (masked.contains(table + ".*")) {
      out << "table " << table << ": rows not compared\n";
      continue;
    }
    SQLite::Statement rows(db, "SELECT * FROM \"" + table + "\"");
    std::vector<std::string> lines;
    while (rows.executeStep()) {
      std::string line = table + ":";
      for (int c = 0; c < rows.getColumnCount(); ++c) {
        const std::string name = rows.getColumnName(c);
        line += ' ' + name + '=';
        line += masked.contains(table + "." + name) ? std::string("*") : render(rows.getColumn(c));
      }
      lines.push_back(std::move(line));
    }
    std::sort(lines.begin(), lines.end());
    out << "table " << table << ": " << lines.size() << " rows\n";
    for (const auto& line : lines) out << line << '\n';
  }
  return out.str();
}

std::string first_difference(const std::string& before, const std::string& after) {
  std::istringstream a(before);
  std::istringstream b(after);
  std::string la;
  std::string lb;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(a, la));
    const bool more_b = static_cast<bool>(std::getline(b, lb));
    if (!more_a && !more_b) return "";
    if (!more_a || !more_b || la != lb) {
      return "line " + std::to_string(line) + ":\n  before: " + (more_a ? la : "<end>") +
             "\n  after:  " + (more_b ? lb : "<end>");
    }
  }
}

std::vector<FolderEntry> folder_listing(const std::filesystem::path& folder) {
  std::vector<FolderEntry> entries;
  std::error_code ec;
  if (!std::filesystem::exists(folder, ec)) return entries;
  for (const auto& e : std::filesystem::recursive_directory_iterator(folder, ec)) {
    if (!e.is_regular_file()) continue;
    entries.push_back({std::filesystem::relative(e.path(), folder).string(), e.file_size()});
  }
  std::sort(entries.begin(), entries.end(),
            [](const FolderEntry& x, const FolderEntry& y) { return x.path < y.path; });
  return entries;
}

}  // namespace driftd::test
