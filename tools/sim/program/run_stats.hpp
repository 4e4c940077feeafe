#pragma once
// Counters of one simulator run, shared by the sending threads and read by the summary
// line: what was sent, what driftd accepted, and the failures by HTTP status or
// transport failure.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "ingest_sender.hpp"

namespace driftd::sim {

struct StatsSnapshot {
  std::uint64_t results_sent = 0;
  std::uint64_t results_accepted = 0;
  std::uint64_t results_duplicate = 0;
  std::uint64_t clips_sent = 0;
  std::uint64_t clips_accepted = 0;
  std::map<std::string, std::uint64_t> errors;  // "429", "timeout", ... → requests

  std::uint64_t error_count() const;
};

class RunStats {
 public:
  // A results call carrying `count` results, and its outcome.
  void record_results(std::size_t count, const SendOutcome& outcome);
  // A clip call and its outcome.
  void record_clip(const SendOutcome& outcome);
  StatsSnapshot snapshot() const;

 private:
  void record_error(const SendOutcome& outcome);

  mutable std::mutex m_mutex;
  StatsSnapshot m_counts;
};

// "results 1200 sent, 1200 accepted (0 duplicates); clips 300 sent, 300 accepted;
// errors: none" — or "errors: 429×3, timeout×1".
std::string format_counts(const StatsSnapshot& counts);

}  // namespace driftd::sim
