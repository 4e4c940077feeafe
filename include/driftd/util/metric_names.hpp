#pragma once
// Every metric family driftd exposes, defined once (name, help, type, labels, buckets) so that
// the HTTP server, the ingest path, the drift evaluator, the retrain runner and the clients
// all count into the same families. docs/operations.md lists them for operators; a test
// checks that every family registered here is documented there and passes promtool.
//
// Label value conventions (keep cardinality bounded: never a raw path, id or token):
//   route    the route pattern that matched, e.g. "/api/v1/retrains/{id}"; "other" if none
//   status   the HTTP status code as decimal text, e.g. "202"
//   reason   the error code of the rejection (the JSON error's "code"), e.g. "out_of_range"
//   state    a retrain run state of SPEC §4, counted when a run enters it
//   service  one of the k_service_* names below
//   outcome  one of the k_outcome_* names below

#include <string_view>
#include <vector>

#include "driftd/util/metrics.hpp"

namespace driftd::util {

inline constexpr std::string_view k_metric_http_requests = "driftd_http_requests_total";
inline constexpr std::string_view k_metric_http_request_duration =
    "driftd_http_request_duration_seconds";
inline constexpr std::string_view k_metric_results_ingested = "driftd_results_ingested_total";
inline constexpr std::string_view k_metric_clips_ingested = "driftd_clips_ingested_total";
inline constexpr std::string_view k_metric_windows_processed = "driftd_windows_processed_total";
inline constexpr std::string_view k_metric_inputs_rejected = "driftd_inputs_rejected_total";
inline constexpr std::string_view k_metric_drift_psi = "driftd_drift_psi";
inline constexpr std::string_view k_metric_drift_status = "driftd_drift_status";
inline constexpr std::string_view k_metric_drift_evaluation_duration =
    "driftd_drift_evaluation_duration_seconds";
inline constexpr std::string_view k_metric_retrain_runs = "driftd_retrain_runs_total";
inline constexpr std::string_view k_metric_outside_requests = "driftd_outside_requests_total";
inline constexpr std::string_view k_metric_outside_request_duration =
    "driftd_outside_request_duration_seconds";
inline constexpr std::string_view k_metric_database_size = "driftd_database_size_bytes";
inline constexpr std::string_view k_metric_store_write_jobs = "driftd_store_write_jobs_total";
inline constexpr std::string_view k_metric_store_write_batches = "driftd_store_write_batches_total";
inline constexpr std::string_view k_metric_store_commit_seconds =
    "driftd_store_commit_seconds_total";
inline constexpr std::string_view k_metric_store_write_queue = "driftd_store_write_queue_depth";
inline constexpr std::string_view k_metric_clips_stored = "driftd_clips_stored_bytes";
inline constexpr std::string_view k_metric_build_info = "driftd_build_info";

// Values of the `service` label of the outside-request families.
inline constexpr std::string_view k_service_ei_ingestion = "edge_impulse_ingestion";
inline constexpr std::string_view k_service_ei_studio = "edge_impulse_studio";
inline constexpr std::string_view k_service_github = "github";

// Values of the `outcome` label: what one HTTP attempt to an outside service ended with.
inline constexpr std::string_view k_outcome_ok = "ok";                      // 2xx
inline constexpr std::string_view k_outcome_client_error = "client_error";  // other 4xx
inline constexpr std::string_view k_outcome_server_error = "server_error";  // 5xx
inline constexpr std::string_view k_outcome_rate_limited = "rate_limited";  // 429, rate-limit 403
inline constexpr std::string_view k_outcome_timeout = "timeout";
inline constexpr std::string_view k_outcome_transport = "transport_error";  // refused, dropped
inline constexpr std::string_view k_outcome_not_sent = "not_sent";          // dry run

// Handles to every driftd family. Unlabelled families are held as their one series.
// A default-made DriftdMetrics is detached (counts, renders nowhere): for tests and tools.
struct DriftdMetrics {
  CounterFamily http_requests;               // {route, status}
  HistogramFamily http_request_duration;     // {route}, seconds from request read to response
  Counter results_ingested;                  // results stored (duplicates not counted)
  Counter clips_ingested;                    // clips stored
  Counter windows_processed;                 // audio windows whose features were computed
  CounterFamily inputs_rejected;             // {reason}, ingest requests refused
  GaugeFamily drift_psi;                     // {model_version, feature}, latest evaluation
  GaugeFamily drift_status;                  // {model_version}, drift_status_value() codes
  Histogram drift_evaluation_duration;       // seconds per evaluation pass
  CounterFamily retrain_runs;                // {state}, runs entering each state
  CounterFamily outside_requests;            // {service, outcome}, one per HTTP attempt
  HistogramFamily outside_request_duration;  // {service}, seconds per HTTP attempt
  Gauge database_size_bytes;                 // SQLite file size, set by a collector
  // The group-commit writer (store/writer.hpp), mirrored from its stats by a collector:
  CounterFamily store_write_jobs;  // {outcome}: committed, rejected (alone), failed (batch)
  Counter store_write_batches;     // transactions committed
  Counter store_commit_seconds;    // time spent in COMMIT
  Gauge store_write_queue_depth;   // jobs waiting for a transaction
  Gauge clips_stored_bytes;        // bytes under storage.clips_dir
  GaugeFamily build_info;          // {version}, always 1
};

// Registers every family in `registry` (idempotent: a second call returns handles to the same
// families) and sets driftd_build_info{version=DRIFTD_VERSION} to 1.
DriftdMetrics register_driftd_metrics(Registry& registry);

// The numeric value of driftd_drift_status for a drift status of SPEC §4:
// ok 0, warn 1, alarm 2, insufficient_data -1, no_reference -2; NaN for anything else.
// Alert on `driftd_drift_status >= 2`.
double drift_status_value(std::string_view status);

// Bucket upper bounds, in seconds.
const std::vector<double>& http_duration_buckets();        // 1 ms .. 10 s
const std::vector<double>& evaluation_duration_buckets();  // 10 ms .. 2 min
const std::vector<double>& outside_duration_buckets();     // 50 ms .. 2 min

}  // namespace driftd::util
