#include "run_stats.hpp"

#include <sstream>

namespace driftd::sim {

std::uint64_t StatsSnapshot::error_count() const {
  std::uint64_t n = 0;
  for (const auto& [key, count] : errors) n += count;
  return n;
}

void RunStats::record_error(const SendOutcome& outcome) {
  if (outcome.ok()) return;
  ++m_counts.errors[outcome.status != 0 ? std::to_string(outcome.status) : outcome.transport];
}

void RunStats::record_results(std::size_t count, const SendOutcome& outcome) {
  const std::lock_guard lock(m_mutex);
  m_counts.results_sent += count;
  if (outcome.ok()) {
    m_counts.results_accepted += static_cast<std::uint64_t>(outcome.accepted);
    m_counts.results_duplicate += static_cast<std::uint64_t>(outcome.duplicates);
  }
  record_error(outcome);
}

void RunStats::record_clip(const SendOutcome& outcome) {
  const std::lock_guard lock(m_mutex);
  ++m_counts.clips_sent;
  if (outcome.ok()) ++m_counts.clips_accepted;
  record_error(outcome);
}

StatsSnapshot RunStats::snapshot() const {
  const std::lock_guard lock(m_mutex);
  return m_counts;
}

std::string format_counts(const StatsSnapshot& c) {
  std::ostringstream out;
  out << "results " << c.results_sent << " sent, " << c.results_accepted << " accepted ("
      << c.results_duplicate << " duplicates); clips " << c.clips_sent << " sent, "
      << c.clips_accepted << " accepted; errors: ";
  if (c.errors.empty()) {
    out << "none";
  } else {
    bool first = true;
    for (const auto& [key, count] : c.errors) {
      out << (first ? "" : ", ") << key << "×" << count;
      first = false;
    }
  }
  return out.str();
}

}  // namespace driftd::sim
