#pragma once
// Edge Impulse Studio API ({studio_url}/v1/api/{project_id}/...): the calls driftd needs
// to retrain a project's impulse, judge the new model on the test set, and read the
// project's samples. Every call checks the answer's "success"; none retries.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "driftd/clients/remote_error.hpp"
#include "driftd/config/config.hpp"
#include "driftd/net/http_client.hpp"
#include "driftd/net/timeouts.hpp"
#include "driftd/util/time.hpp"

namespace driftd::clients {

// A job's state as GET jobs/{id}/status reports it.
struct JobStatus {
  std::int64_t id = 0;
  std::optional<std::string> finished_at;   // Studio's "finished" timestamp; nothing while running
  std::optional<bool> finished_successful;  // set once finished
  bool finished() const { return finished_at.has_value(); }
  bool succeeded() const { return finished() && finished_successful.value_or(false); }
};

// A job as GET jobs/all lists it (a subset of Studio's Job).
struct JobSummary {
  std::int64_t id = 0;
  std::string category;      // Studio's description of the kind of job
  std::string category_key;  // the same as a key
  std::string key;
  std::optional<util::UnixMs> created;  // nothing when absent or not RFC 3339
  bool finished = false;
};

// One line of a job's log.
struct JobLogLine {
  std::string created;  // as Studio wrote it (a date-time)
  std::string data;     // the text, trailing newline removed
  std::string level;    // "error" | "warn" | "info" | "debug", or "" when not given
};

// Right and wrong classifications of test samples.
struct GoodBad {
  std::int64_t good = 0;
  std::int64_t bad = 0;
  // good / (good + bad); nothing when there is nothing to judge.
  std::optional<double> fraction() const;
};

// The test-set classification of one model variant (accuracy.totalSummary and
// accuracy.summaryPerClass of GET classify/all/result).
struct ClassifyResult {
  GoodBad total;
  std::map<std::string, GoodBad> per_class;
};

// One sample of the project (a subset of Studio's Sample).
struct SampleInfo {
  std::int64_t id = 0;
  std::string filename;
  std::optional<std::string> label;  // nothing for unlabeled ("" in Studio)
  std::string category;
  double frequency_hz = 0;
  double interval_ms = 0;
  std::int64_t values_count = 0;
  std::optional<double> total_length_ms;
  std::string sha256;
  std::map<std::string, std::string> metadata;
};

// One page of GET raw-data.
struct SamplePage {
  std::vector<SampleInfo> samples;
  std::int64_t total_count = 0;  // all samples of the category, not just this page
};

class StudioClient {
 public:
  // `api_key` is the project's key (read by the caller with util::read_secret); it is
  // registered for redaction and only ever sent in the x-api-key header.
  StudioClient(net::HttpClient http, const config::EdgeImpulse& config, std::string api_key,
               net::TimeoutPolicy timeouts = {});

  // POST jobs/retrain: retrains the impulse with its last parameters; the job id.
  RemoteResult<std::int64_t> start_retrain() const;

  // GET jobs/{id}/status.
  RemoteResult<JobStatus> job_status(std::int64_t job_id) const;

  // GET jobs/{id}/stdout?limit=N: the last `limit` lines, oldest first (Studio sends them
  // newest first).
  RemoteResult<std::vector<JobLogLine>> job_log(std::int64_t job_id, int limit = 50) const;

  // GET jobs/all?startDate=&limit=: the project's jobs, running and finished, that Studio
  // says were created since `since`, newest first (at most `limit`). Lets a caller find a
  // job whose start request got no answer (Studio has no idempotency key).
  RemoteResult<std::vector<JobSummary>> list_jobs(util::UnixMs since, int limit = 50) const;

  // POST jobs/classify {"modelVariants":[variant]}: classifies the test set; the job id.
  RemoteResult<std::int64_t> start_classify(const std::string& variant) const;

  // GET classify/all/result?variant=: the result of the last classify job.
  RemoteResult<ClassifyResult> classify_result(const std::string& variant) const;

  // GET raw-data?category=&limit=&offset=: one page of samples, newest first.
  RemoteResult<SamplePage> list_samples(const std::string& category, int limit, int offset) const;

  // GET raw-data/{id}/wav?axisIx=0: the sample as WAV bytes.
  RemoteResult<std::string> download_wav(std::int64_t sample_id) const;

 private:
  std::string url(const std::string& path) const;
  net::HttpRequest request(net::Method method, const std::string& path, bool transfer) const;

  net::HttpClient m_http;
  std::string m_studio_url;
  std::int64_t m_project_id;
  std::string m_api_key;
  net::TimeoutPolicy m_timeouts;
};

}  // namespace driftd::clients
