#pragma once
// One configuration problem, located in the file the user edits. Problems are collected,
// never thrown: a load reports all of them at once (STYLE rule 6).

#include <string>

namespace driftd::config {

// A problem with the configuration: which file, which 1-based line (0 when the problem is
// about the file as a whole, e.g. it cannot be read), and a sentence telling the user what
// to fix. Messages never contain a secret's value.
struct Problem {
  std::string file;
  int line = 0;
  std::string message;

  // "FILE:LINE: message", or "FILE: message" when line is 0.
  std::string to_string() const;
};

}  // namespace driftd::config
