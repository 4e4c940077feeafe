#include "state.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

namespace driftd::standins {

namespace {

constexpr std::array<std::pair<Route, std::string_view>, 10> k_routes = {{
    {Route::ingestion_files, "ingestion.files"},
    {Route::studio_retrain, "studio.retrain"},
    {Route::studio_job_status, "studio.job_status"},
    {Route::studio_job_stdout, "studio.job_stdout"},
    {Route::studio_classify, "studio.classify"},
    {Route::studio_classify_result, "studio.classify_result"},
    {Route::studio_raw_data, "studio.raw_data"},
    {Route::studio_raw_data_wav, "studio.raw_data_wav"},
    {Route::studio_jobs_list, "studio.jobs_list"},
    {Route::github_dispatch, "github.dispatch"},
}};

constexpr std::array<std::pair<FaultKind, std::string_view>, 5> k_faults = {{
    {FaultKind::server_error, "server_error"},
    {FaultKind::too_many_requests, "too_many_requests"},
    {FaultKind::github_rate_limit, "github_rate_limit"},
    {FaultKind::slow, "slow"},
    {FaultKind::drop_connection, "drop_connection"},
}};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view route_name(Route route) {
  for (const auto& [r, name] : k_routes) {
    if (r == route) return name;
  }
  return "unknown";
}

std::optional<Route> parse_route(std::string_view name) {
  for (const auto& [r, n] : k_routes) {
    if (n == name) return r;
  }
  return std::nullopt;
}

std::string_view fault_name(FaultKind kind) {
  for (const auto& [k, name] : k_faults) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<FaultKind> parse_fault(std::string_view name) {
  for (const auto& [k, n] : k_faults) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::string RecordedRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return "";
}

State::State(StandinOptions opts) : options(std::move(opts)) {
  set_test_accuracy(0.9, "");
}

std::optional<Fault> State::take_fault(Route route) {
  std::lock_guard lock(mutex);
  auto it = faults.find(route);
  if (it == faults.end() || it->second.empty()) return std::nullopt;
  Fault fault = it->second.front();
  if (--it->second.front().times <= 0) it->second.pop_front();
  return fault;
}

void State::inject_fault(Route route, Fault fault) {
  if (fault.times <= 0) return;
  fault.delay = std::clamp(fault.delay, std::chrono::milliseconds(0), k_max_fault_delay);
  std::lock_guard lock(mutex);
  faults[route].push_back(fault);
}

void State::set_test_accuracy(double fraction, const std::string& variant) {
  const auto good = static_cast<std::int64_t>(std::lround(std::clamp(fraction, 0.0, 1.0) * 100));
  const std::int64_t first = std::min<std::int64_t>(50, (good + 1) / 2);
  std::map<std::string, ClassScore> per_class = {{"noise", {first, 50 - first}},
                                                 {"speech", {good - first, 50 - (good - first)}}};
  std::lock_guard lock(mutex);
  classify_results[variant] = std::move(per_class);
}

std::int64_t State::add_sample_locked(StoredSample sample, UnixMs now) {
  sample.id = next_sample_id++;
  sample.added_ms = now;
  samples.push_back(std::move(sample));
  return samples.back().id;
}

Job& State::create_job_locked(const std::string& kind, UnixMs now) {
  Job job;
  job.record.id = next_job_id++;
  job.record.kind = kind;
  job.created = now;
  for (auto it = planned_failures.begin(); it != planned_failures.end(); ++it) {
    if (it->kind == kind) {
      job.will_fail = true;
      job.failure_lines = it->lines;
      planned_failures.erase(it);
      break;
    }
  }
  job.log.push_back({now, "Scheduling job in cluster...", "info"});
  job.log.push_back({now,
                     kind == "retrain" ? "Retraining the impulse with its last parameters"
                                       : "Classifying all test samples",
                     "info"});
  const auto id = job.record.id;
  return jobs[id] = std::move(job);
}

void State::poll_job_locked(Job& job, UnixMs now) {
  ++job.record.polls;
  if (job.record.finished) return;
  const bool by_polls =
      options.polls_until_finished >= 0 && job.record.polls >= options.polls_until_finished;
  const bool by_time = options.finish_after && now - job.created >= options.finish_after->count();
  if (!by_polls && !by_time) return;
  job.record.finished = true;
  job.record.successful = !job.will_fail;
  job.finished_at = now;
  if (job.will_fail) {
    for (const auto& line : job.failure_lines) job.log.push_back({now, line, "error"});
    job.log.push_back({now, "Job failed (see above)", "error"});
  } else {
    job.log.push_back({now, "Job completed", "info"});
    if (job.record.kind == "classify") {
      for (const auto& v : job.record.variants) classified_variants.insert(v);
    }
  }
}

}  // namespace driftd::standins
