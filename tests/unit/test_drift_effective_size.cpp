#include <doctest/doctest.h>

#include "driftd/drift/effective_size.hpp"
#include "support/drift_fixtures.hpp"

using driftd::drift::overlap_design_effect;
using driftd::drift::WindowGeometry;
using driftd::test::close_relative;

TEST_CASE("a clip's overlap design effect follows the window overlap") {
  const WindowGeometry defaults{1000, 300};
  CHECK(overlap_design_effect(0, defaults) == 1.0);
  CHECK(overlap_design_effect(1, defaults) == 1.0);
  // Two windows overlapping by 0.7: D = 1 + (2/2)·1·0.7 = 1.7.
  CHECK(close_relative(overlap_design_effect(2, defaults), 1.7, 1e-15));
  // 2.5 s clip, 6 windows: 1 + (2/6)(5·0.7 + 4·0.4 + 3·0.1) = 1 + 5.4/3 = 2.8.
  CHECK(close_relative(overlap_design_effect(6, defaults), 2.8, 1e-15));
  // From 4 windows on, D(k) = 3.4 − 3.6/k: 60 s → 197 windows → 3.381726.
  CHECK(close_relative(overlap_design_effect(197, defaults), 3.4 - 3.6 / 197, 1e-14));
  CHECK(close_relative(overlap_design_effect(20, defaults), 3.4 - 3.6 / 20, 1e-14));
}

TEST_CASE("windows that do not overlap are independent and full overlap is one window") {
  CHECK(overlap_design_effect(10, WindowGeometry{1000, 1000}) == 1.0);
  CHECK(overlap_design_effect(10, WindowGeometry{1000, 1500}) == 1.0);
  CHECK(close_relative(overlap_design_effect(10, WindowGeometry{1000, 0}), 10.0, 1e-15));
}

TEST_CASE("the window geometry comes from the features section") {
  driftd::config::Features features;
  features.window_ms = 500;
  features.window_increase_ms = 250;
  const auto geometry = driftd::drift::geometry_from(features);
  CHECK(geometry.window_ms == 500);
  CHECK(geometry.window_increase_ms == 250);
  // Half overlap, two windows: 1 + 0.5.
  CHECK(close_relative(overlap_design_effect(2, geometry), 1.5, 1e-15));
}
