#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/source_tree.hpp"

namespace dt = driftd::test;

// The dashboard against the canned API of tests/browser/fixture_server.py, in headless
// Chromium: it renders the fleet status, the drift chart, devices, runs and baselines, opens a
// run's steps, shows empty states on a fresh install, asks again for a refused token, and
// never reaches another origin. Screenshots: <build>/test-artifacts/dashboard/.
TEST_CASE("the dashboard renders the API's data and its empty states in a real browser") {
  const auto browser_dir = dt::source_dir() / "tests" / "browser";
  const char* chromium = std::getenv("CHROMIUM_PATH");
  const std::string chromium_path = chromium != nullptr ? chromium : "/usr/bin/chromium";
  if (!dt::have_program("node") || !dt::have_program("python3") ||
      !std::filesystem::exists(chromium_path) ||
      !std::filesystem::exists(browser_dir / "node_modules" / "playwright-core")) {
    MESSAGE(
        "needs node, python3, Chromium and `npm install` in tests/browser; dashboard not checked");
    return;
  }
  const auto out = dt::artifact_dir("dashboard");
  const auto result = dt::run_command("'" + (browser_dir / "run_fixture_check.sh").string() +
                                      "' '" + out.string() + "'");
  CHECK_MESSAGE(result.exit_code == 0, result.output);
  const auto first = result.output.find(" passed, 0 failed");
  CHECK_MESSAGE(first != std::string::npos, result.output);  // the run with data
  CHECK_MESSAGE(result.output.find(" passed, 0 failed", first + 1) != std::string::npos,
                result.output);  // the run as a fresh install
  CHECK_MESSAGE(result.output.find("FAIL") == std::string::npos, result.output);
  CHECK(std::filesystem::file_size(out / "dashboard.png") > 10000);
}
