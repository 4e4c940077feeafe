#include "driftd/jobs/fault_injection.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

namespace driftd::jobs {

Checkpoint checkpoint_from_environment() {
  const char* value = std::getenv(k_fault_exit_env);
  if (value == nullptr || *value == '\0') return {};
  std::string point = value;
  spdlog::warn("fault injection armed: the process will exit at retrain point {} ({})", point,
               k_fault_exit_env);
  return [point](std::string_view at) {
    if (at != point) return;
    spdlog::error("fault injection: exiting at retrain point {}", point);
    spdlog::default_logger()->flush();
    std::_Exit(k_fault_exit_status);
  };
}

Checkpoint crash_at(std::string point) {
  return [point = std::move(point)](std::string_view at) {
    if (at == point) throw SimulatedCrash("simulated crash at " + point);
  };
}

}  // namespace driftd::jobs
