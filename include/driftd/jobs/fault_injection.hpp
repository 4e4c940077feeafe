#pragma once
// A fault-injection hook for crash tests of the retrain runner, compiled in and inert unless
// asked for. The runner calls its checkpoint at named points around every outside call:
//   "<kind>:intent"   the intent is committed, the call not yet sent
//   "<kind>:sent"     the answer arrived, its outcome not yet committed
//   "<kind>:outcome"  the outcome (and the state it causes) is committed
// where <kind> is "upload", "retrain", "classify" or "dispatch". Tests make the checkpoint
// throw to abandon the runner mid-step; the daemon's checkpoint ends the process at once
// (like SIGKILL) when the environment variable DRIFTD_FAULT_EXIT_AFTER names the point.

#include <functional>
#include <stdexcept>
#include <string_view>

namespace driftd::jobs {

// Called at each point; empty: no checkpoint.
using Checkpoint = std::function<void(std::string_view point)>;

// The environment variable naming the point at which the daemon exits.
inline constexpr const char* k_fault_exit_env = "DRIFTD_FAULT_EXIT_AFTER";
// The exit status of that exit.
inline constexpr int k_fault_exit_status = 86;

// A checkpoint that logs and exits the process with k_fault_exit_status (no cleanup, no
// flushing beyond the log) at the point named by DRIFTD_FAULT_EXIT_AFTER; an empty
// checkpoint when the variable is unset or empty. Reads the environment once, here.
Checkpoint checkpoint_from_environment();

// What test checkpoints throw to simulate a crash at a point.
class SimulatedCrash : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A checkpoint that throws SimulatedCrash at `point` (for tests driving run_once()).
Checkpoint crash_at(std::string point);

}  // namespace driftd::jobs
