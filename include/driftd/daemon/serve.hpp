#pragma once
// `driftd serve`: the daemon in the foreground. Opens and migrates the store, makes sure an
// admin token exists, serves the HTTP API, runs the background workers, tells systemd
// (Type=notify) when it is ready and pings its watchdog, and on SIGTERM/SIGINT stops
// accepting, drains in-flight requests under a deadline and exits 0.

#include "driftd/config/config.hpp"

namespace driftd::daemon {

// How long a graceful stop may take before the process exits anyway.
inline constexpr int k_drain_deadline_seconds = 10;

// Runs until a stop signal; returns the process exit code (0 after a graceful stop,
// 1 when start-up fails: database, clip folder, port, TLS; 2 when the features settings
// cannot be used).
int serve(const config::Config& config);

}  // namespace driftd::daemon
