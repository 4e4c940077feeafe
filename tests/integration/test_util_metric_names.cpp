#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string>

#include "driftd/util/metric_names.hpp"
#include "support/source_tree.hpp"

using namespace driftd::util;
namespace dt = driftd::test;

namespace {

// A registry holding every driftd family, each with a series or two (label values chosen to
// need escaping), as a busy daemon would show it.
std::string render_all_families() {
  Registry registry;
  DriftdMetrics m = register_driftd_metrics(registry);
  m.http_requests.labels({"/api/v1/results", "202"}).inc(5);
  m.http_requests.labels({"/api/v1/retrains/{id}", "404"}).inc();
  m.http_request_duration.labels({"/api/v1/results"}).observe(0.004);
  m.results_ingested.inc(5);
  m.clips_ingested.inc();
  m.windows_processed.inc(6);
  m.inputs_rejected.labels({"invalid_field"}).inc();
  m.drift_psi.labels({"12", "mfcc_0"}).set(0.03);
  m.drift_psi.labels({"v\"odd\\name", "rms_dbfs"}).set(0.31);
  m.drift_status.labels({"12"}).set(drift_status_value("alarm"));
  m.drift_evaluation_duration.observe(0.2);
  m.retrain_runs.labels({"succeeded"}).inc();
  m.outside_requests.labels({std::string(k_service_github), std::string(k_outcome_ok)}).inc();
  m.outside_request_duration.labels({std::string(k_service_ei_studio)}).observe(0.7);
  registry.add_collector([&m] { m.database_size_bytes.set(4096); });
  m.clips_stored_bytes.set(123456);
  return registry.render();
}

std::set<std::string> family_names(const std::string& text) {
  std::set<std::string> names;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# TYPE ")) names.insert(line.substr(7, line.find(' ', 7) - 7));
  }
  return names;
}

}  // namespace

TEST_CASE("every driftd metric family is registered once with the names SPEC section 4 requires") {
  const std::string text = render_all_families();
  const auto names = family_names(text);
  for (const char* required :
       {"driftd_http_requests_total", "driftd_http_request_duration_seconds",
        "driftd_results_ingested_total", "driftd_clips_ingested_total",
        "driftd_inputs_rejected_total", "driftd_drift_psi", "driftd_drift_status",
        "driftd_retrain_runs_total", "driftd_outside_requests_total", "driftd_build_info"}) {
    CHECK_MESSAGE(names.count(required) == 1, required);
  }
  for (const auto& name : names) CHECK_MESSAGE(name.starts_with("driftd_"), name);
  CHECK(text.find("driftd_build_info{version=\"" DRIFTD_VERSION "\"} 1\n") != std::string::npos);
  CHECK(text.find("driftd_database_size_bytes 4096\n") != std::string::npos);
  CHECK(text.find("driftd_drift_status{model_version=\"12\"} 2\n") != std::string::npos);
}

TEST_CASE("registering the driftd families twice shares them") {
  Registry registry;
  auto first = register_driftd_metrics(registry);
  auto second = register_driftd_metrics(registry);
  first.results_ingested.inc(3);
  CHECK(second.results_ingested.value() == 3);
}

TEST_CASE("drift statuses map to the documented driftd_drift_status values") {
  CHECK(drift_status_value("ok") == 0);
  CHECK(drift_status_value("warn") == 1);
  CHECK(drift_status_value("alarm") == 2);
  CHECK(drift_status_value("insufficient_data") == -1);
  CHECK(drift_status_value("no_reference") == -2);
  CHECK(std::isnan(drift_status_value("bogus")));
}

TEST_CASE("promtool accepts the exposition of every driftd metric family") {
  const auto dir = dt::artifact_dir("metrics");
  const auto file = dir / "driftd_metrics.prom";
  std::ofstream(file) << render_all_families();
  if (!dt::have_program("promtool")) {
    MESSAGE("promtool not installed (scripts/install-deps.sh --extras); exposition not linted");
    return;
  }
  const auto result = dt::run_command("promtool check metrics < '" + file.string() + "'");
  CHECK_MESSAGE(result.exit_code == 0, result.output);
  CHECK_MESSAGE(result.output.empty(), result.output);
}

TEST_CASE("docs/operations.md lists every metric family driftd exposes") {
  std::ifstream in(dt::source_dir() / "docs" / "operations.md");
  REQUIRE(in.good());
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& name : family_names(render_all_families())) {
    CHECK_MESSAGE(doc.find("`" + name + "`") != std::string::npos, name);
  }
}
