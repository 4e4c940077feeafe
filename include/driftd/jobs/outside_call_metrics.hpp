#pragma once
// Counts every outside HTTP call (net::CallObserver) into driftd_outside_requests_total
// {service, outcome} and driftd_outside_request_duration_seconds{service}
// (util/metric_names.hpp). Give it to the net::HttpClient the clients share.

#include <memory>

#include "driftd/net/http_client.hpp"
#include "driftd/util/metric_names.hpp"

namespace driftd::jobs {

// An observer counting into `metrics` (a detached set counts nowhere). Thread-safe.
std::shared_ptr<net::CallObserver> outside_call_metrics(const util::DriftdMetrics& metrics);

}  // namespace driftd::jobs
