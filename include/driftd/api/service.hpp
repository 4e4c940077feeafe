#pragma once
// What the routes share: the config, the store, the metrics. Owned by the daemon, which
// outlives the HTTP server; the routes only borrow it.

#include "driftd/api/api_error.hpp"
#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/config/config.hpp"
#include "driftd/jobs/drift_evaluator.hpp"
#include "driftd/store/clip_archive.hpp"
#include "driftd/store/store.hpp"
#include "driftd/util/metric_names.hpp"
#include "driftd/util/metrics.hpp"

namespace driftd::api {

struct Service {
  const config::Config& config;
  store::Store& store;
  util::Registry& registry;
  util::DriftdMetrics metrics;
  // Clip ingest: the analyzer built once from config.features, and the clip files. The
  // clip route answers 503 while either is missing.
  const audio::ClipAnalyzer* analyzer = nullptr;
  store::ClipArchive* clips = nullptr;
  // The drift evaluator (GET /api/v1/drift, history, evaluate); the drift routes answer 503
  // while it is missing.
  jobs::DriftEvaluator* drift = nullptr;
};

// The ApiError a store error deserves: storage_unavailable 503, conflict 409,
// not_found 404, invalid_argument 400, anything else 500.
ApiError api_error_from_store(const Error& error);

}  // namespace driftd::api
