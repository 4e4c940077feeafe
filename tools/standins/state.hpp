#pragma once
// Private to the stand-ins: the fake world behind the routes (one Edge Impulse project, a
// few GitHub repositories), its faults and its request log. Every member is guarded by
// `mutex`; the methods take it themselves unless they say "locked" (caller holds it).

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include <httplib.h>

#include "driftd/standins/standins.hpp"

namespace driftd::standins {

using UnixMs = std::int64_t;

struct LogLine {
  UnixMs created = 0;
  std::string text;
  std::string level;
};

struct Job {
  JobRecord record;
  UnixMs created = 0;
  UnixMs finished_at = 0;
  bool will_fail = false;
  std::vector<std::string> failure_lines;
  std::vector<LogLine> log;  // oldest first
};

struct PlannedFailure {
  std::string kind;
  std::vector<std::string> lines;
};

struct State {
  explicit State(StandinOptions options);

  mutable std::mutex mutex;
  StandinOptions options;

  // Edge Impulse project
  std::vector<StoredSample> samples;
  std::int64_t next_sample_id = 1;
  std::map<std::int64_t, Job> jobs;
  std::int64_t next_job_id = 1;
  std::deque<PlannedFailure> planned_failures;
  std::map<std::string, std::map<std::string, ClassScore>> classify_results;  // by variant
  std::set<std::string> classified_variants;  // variants of finished classify jobs

  // GitHub
  std::vector<DispatchRecord> dispatches;
  int rate_remaining = 5000;

  // faults and recording
  std::map<Route, std::deque<Fault>> faults;
  std::vector<RecordedRequest> requests;

  // stopping: slow faults wait on this
  std::condition_variable stop_cv;
  bool stopping = false;

  // Takes one occurrence of the next fault of `route`.
  std::optional<Fault> take_fault(Route route);
  void inject_fault(Route route, Fault fault);
  void set_test_accuracy(double fraction, const std::string& variant);

  // locked: adds a sample; returns its id.
  std::int64_t add_sample_locked(StoredSample sample, UnixMs now);
  // locked: creates a job of `kind`.
  Job& create_job_locked(const std::string& kind, UnixMs now);
  // locked: counts a status poll and finishes the job when its time has come.
  void poll_job_locked(Job& job, UnixMs now);
};

using RouteHandler = std::function<void(const httplib::Request&, httplib::Response&)>;
// Wraps a route's handler with fault injection and recording.
using Wrap = std::function<httplib::Server::Handler(Route, RouteHandler)>;

void add_ingestion_routes(httplib::Server& server, State& state, const Wrap& wrap);
void add_studio_routes(httplib::Server& server, State& state, const Wrap& wrap);
void add_github_routes(httplib::Server& server, State& state, const Wrap& wrap);
void add_control_routes(httplib::Server& server, State& state);

}  // namespace driftd::standins
