#include "suggest.hpp"

#include <algorithm>
#include <vector>

#include "driftd/config/keys.hpp"

namespace driftd::config {

namespace {

// Names of the keys and sections directly inside `section`, in table order.
std::vector<std::string_view> children_of(std::string_view section) {
  std::vector<std::string_view> out;
  for (const Key& key : keys()) {
    std::string_view rest = key.path;
    if (!section.empty()) {
      if (!(rest.size() > section.size() && rest.starts_with(section) &&
            rest[section.size()] == '.')) {
        continue;
      }
      rest.remove_prefix(section.size() + 1);
    }
    const std::string_view child = rest.substr(0, rest.find('.'));
    if (std::find(out.begin(), out.end(), child) == out.end()) out.push_back(child);
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string join_path(std::string_view section, std::string_view name) {
  return section.empty() ? std::string(name) : std::string(section) + "." + std::string(name);
}

}  // namespace

std::string unknown_key_hint(std::string_view section, std::string_view name) {
  const auto siblings = children_of(section);

  std::string_view best;
  std::size_t best_distance = std::max<std::size_t>(1, name.size() / 3) + 1;
  for (std::string_view candidate : siblings) {
    const std::size_t d = edit_distance(name, candidate);
    if (d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  if (!best.empty()) return " (did you mean " + join_path(section, best) + "?)";

  for (const Key& key : keys()) {
    const std::string_view path = key.path;
    const auto dot = path.rfind('.');
    if (path.substr(dot + 1) == name) {
      return " (did you mean " + std::string(path) + "? it belongs in section " +
             std::string(path.substr(0, dot)) + ")";
    }
  }

  std::string list;
  for (std::string_view child : siblings) {
    if (!list.empty()) list += ", ";
    list += child;
  }
  if (section.empty()) return " (the sections are " + list + ")";
  return " (the keys of " + std::string(section) + " are " + list + ")";
}

}  // namespace driftd::config
