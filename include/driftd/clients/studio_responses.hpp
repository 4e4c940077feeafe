#pragma once
// Reading Studio's JSON answers into driftd's values (shapes from the Studio OpenAPI
// models: GetJobResponse, LogStdoutResponse, ClassifyJobResponse, ListSamplesResponse,
// StartJobResponse). Pure functions; each refuses an answer missing what it needs.

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "driftd/clients/edge_impulse_studio.hpp"
#include "driftd/clients/remote_error.hpp"

namespace driftd::clients {

// StartJobResponse → "id".
RemoteResult<std::int64_t> parse_start_job(const nlohmann::json& body, std::string_view context);

// GetJobResponse → job.id, job.finished, job.finishedSuccessful.
RemoteResult<JobStatus> parse_job_status(const nlohmann::json& body, std::string_view context);

// ListJobsResponse → jobs (id, category, categoryKey, key, created, finished).
RemoteResult<std::vector<JobSummary>> parse_job_list(const nlohmann::json& body,
                                                     std::string_view context);

// LogStdoutResponse → lines, reversed into chronological order.
RemoteResult<std::vector<JobLogLine>> parse_job_log(const nlohmann::json& body,
                                                    std::string_view context);

// ClassifyJobResponse → accuracy.totalSummary and accuracy.summaryPerClass.
RemoteResult<ClassifyResult> parse_classify_result(const nlohmann::json& body,
                                                   std::string_view context);

// ListSamplesResponse → samples and totalCount.
RemoteResult<SamplePage> parse_sample_page(const nlohmann::json& body, std::string_view context);

}  // namespace driftd::clients
