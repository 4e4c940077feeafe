#pragma once
// Local stand-ins for the outside services driftd calls: the Edge Impulse ingestion
// service, the Edge Impulse Studio API and GitHub's repository_dispatch, served by one
// HTTP server on one loopback port, with failures on cue. Tests run it in-process; the
// driftd-standins program runs it for demos. docs/standins.md says what each route does
// and which public sources it follows.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace driftd::standins {

// The routes that can be given faults and that are recorded.
enum class Route {
  ingestion_files,         // POST /api/{category}/files
  studio_retrain,          // POST /v1/api/{project}/jobs/retrain
  studio_job_status,       // GET  /v1/api/{project}/jobs/{id}/status
  studio_job_stdout,       // GET  /v1/api/{project}/jobs/{id}/stdout
  studio_classify,         // POST /v1/api/{project}/jobs/classify
  studio_classify_result,  // GET  /v1/api/{project}/classify/all/result
  studio_raw_data,         // GET  /v1/api/{project}/raw-data
  studio_raw_data_wav,     // GET  /v1/api/{project}/raw-data/{id}/wav
  studio_jobs_list,        // GET  /v1/api/{project}/jobs/all
  github_dispatch,         // POST /repos/{owner}/{repo}/dispatches
};

// "ingestion.files", "studio.retrain", ..., "github.dispatch".
std::string_view route_name(Route route);
std::optional<Route> parse_route(std::string_view name);

enum class FaultKind {
  server_error,       // 500 with the service's error body
  too_many_requests,  // 429 with Retry-After (seconds, or an HTTP-date)
  github_rate_limit,  // 403, x-ratelimit-remaining: 0, x-ratelimit-reset = now + retry_after
  slow,               // waits `delay` (at most k_max_fault_delay) then answers normally
  drop_connection,    // closes the connection without answering
};

std::string_view fault_name(FaultKind kind);
std::optional<FaultKind> parse_fault(std::string_view name);

// The longest a slow fault waits (stop() cuts every wait short).
inline constexpr std::chrono::milliseconds k_max_fault_delay = std::chrono::seconds(30);

// A failure served to the next `times` requests of a route.
struct Fault {
  FaultKind kind = FaultKind::server_error;
  int times = 1;
  std::chrono::seconds retry_after{2};    // too_many_requests, github_rate_limit
  bool retry_after_as_date = false;       // too_many_requests: HTTP-date instead of seconds
  std::chrono::milliseconds delay{2000};  // slow
};

struct StandinOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::int64_t project_id = 1;
  std::string ei_api_key = "ei_standin_0123456789abcdef";        // the only key accepted
  std::string github_token = "ghp_standin0123456789";            // the only token accepted
  std::vector<std::string> repositories = {"example/firmware"};  // owner/name that exist
  int polls_until_finished = 2;  // the status poll that first reports a job finished; <0: never
  std::optional<std::chrono::milliseconds> finish_after;  // or this long after creation
  bool control_api = false;  // serve /_standins/... (the program turns it on)
};

// One part of a multipart/form-data request.
struct RecordedPart {
  std::string name;
  std::string filename;
  std::string content_type;
  std::size_t size = 0;
};

// A request as it arrived, with the status it was answered (0: connection dropped).
// Header values are as cpp-httplib 0.11 hands them to handlers: percent-decoded once
// (it decodes every header value except Location while parsing).
struct RecordedRequest {
  Route route = Route::ingestion_files;
  std::string method;
  std::string path;
  std::string query;  // raw, without "?"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // the first MiB (empty for multipart bodies: see parts)
  std::vector<RecordedPart> parts;
  int status = 0;
  // The first value of header `name` (case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
};

// A sample the fake project holds (uploaded or seeded).
struct StoredSample {
  std::int64_t id = 0;
  std::string file_name;      // the stored name
  std::string original_name;  // the part's filename
  std::string category;
  std::optional<std::string> label;  // after percent-decoding; nothing when unlabeled
  std::map<std::string, std::string> metadata;
  std::string sha256;
  std::string bytes;
  int sample_rate_hz = 0;
  std::int64_t frames = 0;
  std::int64_t added_ms = 0;  // Unix ms
};

struct JobRecord {
  std::int64_t id = 0;
  std::string kind;                   // "retrain" | "classify"
  std::vector<std::string> variants;  // classify: the modelVariants asked for
  int polls = 0;
  bool finished = false;
  std::optional<bool> successful;
};

struct DispatchRecord {
  std::string repository;  // owner/name
  std::string event_type;
  std::string client_payload;  // JSON text
};

struct ClassScore {
  std::int64_t good = 0;
  std::int64_t bad = 0;
};

class Standins {
 public:
  explicit Standins(StandinOptions options = {});
  ~Standins();  // stops
  Standins(const Standins&) = delete;
  Standins& operator=(const Standins&) = delete;

  // Binds (the port is known when this returns) and serves on a background thread.
  // Throws std::runtime_error when the address cannot be bound.
  void start();
  // Cuts slow faults short, stops serving and joins the thread. Idempotent.
  void stop();

  int port() const;
  std::string base_url() const;  // "http://127.0.0.1:<port>"
  const StandinOptions& options() const;

  // Serves `fault` to the next fault.times requests of `route` (after earlier ones).
  void inject_fault(Route route, Fault fault);
  void clear_faults();

  // What classify/all/result reports for `variant` ("" = every variant without its own).
  void set_classify_result(std::map<std::string, ClassScore> per_class,
                           const std::string& variant = "");
  // Shorthand: 100 test samples over two classes, `fraction` of them right.
  void set_test_accuracy(double fraction, const std::string& variant = "");
  // The next `count` jobs of `kind` ("retrain" | "classify") finish unsuccessfully,
  // with `log_lines` in their log.
  void fail_next_jobs(const std::string& kind, int count, std::vector<std::string> log_lines);
  void set_polls_until_finished(int polls);

  // Adds a sample as if uploaded; returns its id. `wav` must be a WAV file.
  std::int64_t add_sample(const std::string& category, const std::string& file_name,
                          std::optional<std::string> label, std::string wav);

  std::vector<RecordedRequest> requests() const;
  std::vector<RecordedRequest> requests(Route route) const;
  std::vector<StoredSample> samples() const;
  std::vector<JobRecord> jobs() const;
  std::vector<DispatchRecord> dispatches() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace driftd::standins
