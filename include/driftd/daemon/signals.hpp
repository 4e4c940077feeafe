#pragma once
// Stop signals without async-signal handlers: SIGTERM and SIGINT are blocked in every
// thread (block_stop_signals() runs before any thread starts) and the main thread waits
// for them with a timeout, so it can also do periodic work such as watchdog pings.

#include <chrono>
#include <optional>

namespace driftd::daemon {

// Blocks SIGTERM, SIGINT and SIGPIPE for the calling thread and the threads it creates.
void block_stop_signals();

// Waits up to `timeout` for SIGTERM or SIGINT; returns the signal number, or nothing on
// timeout.
std::optional<int> wait_for_stop_signal(std::chrono::milliseconds timeout);

// Names the calling thread (visible in top -H, gdb and crash reports); at most 15 chars.
void name_this_thread(const char* name);

}  // namespace driftd::daemon
