// Configuration texts found by fuzz_config (fuzz/, scripts/fuzz.sh), kept byte for byte so
// that the fix stays fixed. Each copy also lives in fuzz/corpus/config/.
#include <doctest/doctest.h>

#include <string>

#include "driftd/config/loader.hpp"

using driftd::config::load_string;
using driftd::config::LoadOutcome;

TEST_CASE("a config whose document starts with a stray comma is a syntax error, not a hang") {
  // fuzz_config, timeout-ac58a04d: yaml-cpp 0.7's LoadAll reported an empty document at
  // offset 0 forever, growing memory until killed (check-config and serve never returned).
  const std::string found =
      ",rift: {ban, psi\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9"
      "\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9"
      "\xad\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9\xa9"
      "\xa9)\xa9_a/arm: -.inf}\nfeatures: {mfcc: {ffeatures:  (00, num_f"
      "ilters: 9999}}\n";
  REQUIRE(found.size() == 136);
  const LoadOutcome o = load_string(found, "driftd.yaml");
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].line == 1);
  CHECK(o.problems[0].message.starts_with("YAML syntax error: "));
}

TEST_CASE("a stray comma where any document starts is reported on its line") {
  for (const auto& [text, line] : {std::pair<std::string, int>{",", 1},
                                   {", a: 1\n", 1},
                                   {"server:\n  threads: 4\n---\n,\n", 4}}) {
    CAPTURE(text);
    const LoadOutcome o = load_string(text, "driftd.yaml");
    REQUIRE(o.problems.size() == 1);
    CHECK(o.problems[0].line == line);
    CHECK(o.problems[0].message.starts_with("YAML syntax error: "));
  }
}

TEST_CASE("several well-formed documents are still counted and refused") {
  const LoadOutcome o = load_string("a: 1\n---\nb: 2\n---\nc: 3\n", "driftd.yaml");
  REQUIRE(o.problems.size() == 1);
  CHECK(o.problems[0].message.find("found 3") != std::string::npos);
}
