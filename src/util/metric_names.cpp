// The definitions of every driftd metric family (see util/metric_names.hpp).
#include "driftd/util/metric_names.hpp"

#include <limits>
#include <string>

namespace driftd::util {

namespace {
std::string str(std::string_view s) {
  return std::string(s);
}
}  // namespace

const std::vector<double>& http_duration_buckets() {
  static const std::vector<double> k_bounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25,  0.5,    1,     2.5,  5,     10};
  return k_bounds;
}

const std::vector<double>& evaluation_duration_buckets() {
  static const std::vector<double> k_bounds = {0.01, 0.05, 0.1, 0.25, 0.5, 1,
                                               2.5,  5,    10,  30,   60,  120};
  return k_bounds;
}

const std::vector<double>& outside_duration_buckets() {
  static const std::vector<double> k_bounds = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
  return k_bounds;
}

DriftdMetrics register_driftd_metrics(Registry& registry) {
  DriftdMetrics m;
  m.http_requests = registry.counter(str(k_metric_http_requests),
                                     "HTTP requests answered, by route pattern and status code.",
                                     {"route", "status"});
  m.http_request_duration = registry.histogram(
      str(k_metric_http_request_duration),
      "Time from a request being read to its response being ready, by route pattern.",
      http_duration_buckets(), {"route"});
  m.results_ingested =
      registry
          .counter(str(k_metric_results_ingested),
                   "Classification results stored (a repeated result_id is not counted again).")
          .labels();
  m.clips_ingested = registry.counter(str(k_metric_clips_ingested), "Audio clips stored.").labels();
  m.windows_processed =
      registry
          .counter(str(k_metric_windows_processed),
                   "Audio windows whose features were computed (ingested clips and baselines).")
          .labels();
  m.inputs_rejected = registry.counter(
      str(k_metric_inputs_rejected),
      "Ingest requests (results, clips) refused, by the error code of the answer.", {"reason"});
  m.drift_psi = registry.gauge(
      str(k_metric_drift_psi),
      "Population stability index of each drift feature in the latest fleet-wide evaluation.",
      {"model_version", "feature"});
  m.drift_status =
      registry.gauge(str(k_metric_drift_status),
                     "Latest fleet-wide drift status: 0 ok, 1 warn, 2 alarm, -1 insufficient_data, "
                     "-2 no_reference.",
                     {"model_version"});
  m.drift_evaluation_duration =
      registry
          .histogram(str(k_metric_drift_evaluation_duration),
                     "Time taken by one drift evaluation pass over every model version.",
                     evaluation_duration_buckets())
          .labels();
  m.retrain_runs =
      registry.counter(str(k_metric_retrain_runs), "Retrain runs entering each state.", {"state"});
  m.outside_requests = registry.counter(
      str(k_metric_outside_requests),
      "HTTP attempts to Edge Impulse and GitHub, by service and outcome (retries count each).",
      {"service", "outcome"});
  m.outside_request_duration =
      registry.histogram(str(k_metric_outside_request_duration),
                         "Time taken by one HTTP attempt to an outside service.",
                         outside_duration_buckets(), {"service"});
  m.database_size_bytes =
      registry
          .gauge(str(k_metric_database_size),
                 "Size of the SQLite database file (with its write-ahead log) in bytes.")
          .labels();
  m.store_write_jobs = registry.counter(
      str(k_metric_store_write_jobs),
      "Write jobs of the group-commit writer: committed, rejected alone (their own error), or "
      "failed with their transaction.",
      {"outcome"});
  m.store_write_batches =
      registry
          .counter(str(k_metric_store_write_batches),
                   "Transactions committed by the writer; jobs per transaction is the ratio of "
                   "driftd_store_write_jobs_total to this.")
          .labels();
  m.store_commit_seconds =
      registry
          .counter(str(k_metric_store_commit_seconds),
                   "Time the writer spent in COMMIT (appending to the write-ahead log).")
          .labels();
  m.store_write_queue_depth = registry
                                  .gauge(str(k_metric_store_write_queue),
                                         "Write jobs waiting for the writer's next "
                                         "transaction, at scrape time.")
                                  .labels();
  m.clips_stored_bytes =
      registry
          .gauge(str(k_metric_clips_stored), "Bytes of audio clips kept in the clips directory.")
          .labels();
  m.build_info = registry.gauge(str(k_metric_build_info),
                                "Always 1; the label carries the driftd version.", {"version"});
  m.build_info.labels({DRIFTD_VERSION}).set(1);
  return m;
}

double drift_status_value(std::string_view status) {
  if (status == "ok") return 0;
  if (status == "warn") return 1;
  if (status == "alarm") return 2;
  if (status == "insufficient_data") return -1;
  if (status == "no_reference") return -2;
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace driftd::util
