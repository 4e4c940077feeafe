#pragma once
// The routes of SPEC §4, added to a server. Each group lives in its own routes_*.cpp.

#include "driftd/api/http_server.hpp"
#include "driftd/api/service.hpp"

namespace driftd::api {

// Health, readiness and metrics (open routes).
void add_health_routes(HttpServer& server, Service& service);
// POST /api/v1/results and GET /api/v1/devices.
void add_result_routes(HttpServer& server, Service& service);
// POST /api/v1/clips.
void add_clip_routes(HttpServer& server, Service& service);

// The dashboard: GET / and its embedded files (no token; the page asks for one).
void add_static_routes(HttpServer& server);

// GET /api/v1/retrains, GET /api/v1/retrains/{id}, POST /api/v1/retrains.
void add_retrain_routes(HttpServer& server, Service& service);

// GET /api/v1/baselines.
void add_baseline_routes(HttpServer& server, Service& service);

// GET /api/v1/drift, GET /api/v1/drift/history, POST /api/v1/drift/evaluate.
void add_drift_routes(HttpServer& server, Service& service);

// Every route driftd serves.
void add_all_routes(HttpServer& server, Service& service);

// The observer that counts requests into the metrics (by route and status, durations,
// rejected ingest inputs by reason).
RequestObserver metrics_observer(Service& service);

}  // namespace driftd::api
