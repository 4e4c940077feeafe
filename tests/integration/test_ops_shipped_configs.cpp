#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "driftd/config/loader.hpp"
#include "support/source_tree.hpp"

namespace dt = driftd::test;

namespace {

// Sets an environment variable for the life of the object, restoring the old state after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (m_old.empty())
      ::unsetenv(m_name);
    else
      ::setenv(m_name, m_old.c_str(), 1);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* m_name;
  std::string m_old;
};

std::string problems_of(const driftd::config::LoadOutcome& outcome) {
  std::string text;
  for (const auto& p : outcome.problems) text += p.to_string() + "\n";
  return text;
}

}  // namespace

TEST_CASE("the configurations shipped for systemd and the container load without a problem") {
  for (const char* file : {"systemd/driftd.yaml", "docker/driftd.yaml"}) {
    const auto outcome = driftd::config::load_file((dt::source_dir() / file).string());
    CHECK_MESSAGE(outcome.ok(), (std::string(file) + "\n" + problems_of(outcome)));
    CHECK(outcome.config.storage.database.starts_with("/var/lib/driftd/"));
    CHECK(outcome.config.retrain.dry_run);  // a fresh install sends nothing outside
  }
}

TEST_CASE("the demo configuration loads when the stand-in secrets are present") {
  // The demo calls the stand-ins for real, so the loader wants both secrets to be readable.
  ScopedEnv key("EI_API_KEY", "demo-placeholder");
  ScopedEnv token("GITHUB_TOKEN", "demo-placeholder");
  const auto outcome = driftd::config::load_file((dt::source_dir() / "docker/demo.yaml").string());
  CHECK_MESSAGE(outcome.ok(), problems_of(outcome));
  CHECK_FALSE(outcome.config.retrain.dry_run);
  CHECK(outcome.config.edge_impulse.studio_url == "http://standins:9000");
}
