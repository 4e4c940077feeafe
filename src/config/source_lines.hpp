#pragma once
// Private to the config module: where each key and section was written in the file, and
// which keys had a refused value, so that rules spanning several keys can point at the
// right line and stay quiet about values already reported.

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace driftd::config {

class SourceLines {
 public:
  // Remembers the 1-based line of a key's value or a section's header.
  void record(const std::string& path, int line) { m_lines[path] = line; }

  // Marks a key whose value was refused (the default stays in its place).
  void mark_invalid(const std::string& path) { m_invalid.insert(path); }

  bool present(std::string_view path) const { return m_lines.find(path) != m_lines.end(); }
  bool invalid(std::string_view path) const { return m_invalid.find(path) != m_invalid.end(); }

  // The line of `path` if written, else of its nearest written section, else 1.
  int line_of(std::string_view path) const {
    for (;;) {
      if (auto it = m_lines.find(path); it != m_lines.end()) return it->second;
      const auto dot = path.rfind('.');
      if (dot == std::string_view::npos) return 1;
      path = path.substr(0, dot);
    }
  }

 private:
  std::map<std::string, int, std::less<>> m_lines;
  std::set<std::string, std::less<>> m_invalid;
};

}  // namespace driftd::config
