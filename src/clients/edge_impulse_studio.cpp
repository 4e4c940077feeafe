// Studio calls. Paths, parameters and answer shapes from the Studio OpenAPI client
// generated into edgeimpulse/edge-impulse-cli (jobsApi, classifyApi, rawDataApi).
#include "driftd/clients/edge_impulse_studio.hpp"

#include <nlohmann/json.hpp>

#include "driftd/clients/remote_failure.hpp"
#include "driftd/clients/studio_responses.hpp"
#include "driftd/net/url.hpp"
#include "driftd/util/secrets.hpp"
#include "edge_impulse_body.hpp"

namespace driftd::clients {

namespace {

constexpr const char* k_service = "edge_impulse_studio";

// Sends a JSON call and returns its checked body.
RemoteResult<nlohmann::json> json_call(const net::HttpClient& http, const net::HttpRequest& request,
                                       const std::string& context) {
  auto response = call(http, request, context);
  if (!response) return response.error();
  return detail::success_body(response.value(), context);
}

RemoteError invalid_argument(const std::string& context, const std::string& what) {
  RemoteError error;
  error.kind = RemoteErrorKind::invalid;
  error.message = context + ": " + what;
  return error;
}

}  // namespace

std::optional<double> GoodBad::fraction() const {
  if (good + bad <= 0) return std::nullopt;
  return static_cast<double>(good) / static_cast<double>(good + bad);
}

StudioClient::StudioClient(net::HttpClient http, const config::EdgeImpulse& config,
                           std::string api_key, net::TimeoutPolicy timeouts)
    : m_http(std::move(http)),
      m_studio_url(config.studio_url),
      m_project_id(config.project_id),
      m_api_key(std::move(api_key)),
      m_timeouts(timeouts) {
  util::register_secret(m_api_key);
}

std::string StudioClient::url(const std::string& path) const {
  return net::join_url(m_studio_url, "/v1/api/" + std::to_string(m_project_id) + path);
}

net::HttpRequest StudioClient::request(net::Method method, const std::string& path,
                                       bool transfer) const {
  net::HttpRequest r;
  r.service = k_service;
  r.method = method;
  r.url = url(path);
  r.timeouts = transfer ? m_timeouts.transfer : m_timeouts.api;
  r.headers = {{"x-api-key", m_api_key}, {"Accept", transfer ? "audio/wav" : "application/json"}};
  if (method == net::Method::post) r.content_type = "application/json";
  return r;
}

RemoteResult<std::int64_t> StudioClient::start_retrain() const {
  const std::string context = "Edge Impulse Studio: start retrain";
  auto body = json_call(m_http, request(net::Method::post, "/jobs/retrain", false), context);
  if (!body) return body.error();
  return parse_start_job(body.value(), context);
}

RemoteResult<JobStatus> StudioClient::job_status(std::int64_t job_id) const {
  const std::string context = "Edge Impulse Studio: status of job " + std::to_string(job_id);
  auto body = json_call(
      m_http, request(net::Method::get, "/jobs/" + std::to_string(job_id) + "/status", false),
      context);
  if (!body) return body.error();
  return parse_job_status(body.value(), context);
}

RemoteResult<std::vector<JobLogLine>> StudioClient::job_log(std::int64_t job_id, int limit) const {
  const std::string context = "Edge Impulse Studio: log of job " + std::to_string(job_id);
  if (limit < 1) return invalid_argument(context, "limit must be at least 1");
  const std::string path = "/jobs/" + std::to_string(job_id) + "/stdout" +
                           net::query_string({{"limit", std::to_string(limit)}});
  auto body = json_call(m_http, request(net::Method::get, path, false), context);
  if (!body) return body.error();
  return parse_job_log(body.value(), context);
}

RemoteResult<std::vector<JobSummary>> StudioClient::list_jobs(util::UnixMs since, int limit) const {
  const std::string context = "Edge Impulse Studio: list jobs";
  if (limit < 1) return invalid_argument(context, "limit must be at least 1");
  const std::string path =
      "/jobs/all" + net::query_string({{"startDate", util::format_rfc3339(since)},
                                       {"limit", std::to_string(limit)}});
  auto body = json_call(m_http, request(net::Method::get, path, false), context);
  if (!body) return body.error();
  return parse_job_list(body.value(), context);
}

RemoteResult<std::int64_t> StudioClient::start_classify(const std::string& variant) const {
  const std::string context = "Edge Impulse Studio: start classify (" + variant + ")";
  if (variant.empty()) return invalid_argument(context, "a model variant is required");
  auto r = request(net::Method::post, "/jobs/classify", false);
  r.body = nlohmann::json{{"modelVariants", {variant}}}.dump();
  auto body = json_call(m_http, r, context);
  if (!body) return body.error();
  return parse_start_job(body.value(), context);
}

RemoteResult<ClassifyResult> StudioClient::classify_result(const std::string& variant) const {
  const std::string context = "Edge Impulse Studio: classify result (" + variant + ")";
  const std::string path = "/classify/all/result" + net::query_string({{"variant", variant}});
  auto body = json_call(m_http, request(net::Method::get, path, false), context);
  if (!body) return body.error();
  return parse_classify_result(body.value(), context);
}

RemoteResult<SamplePage> StudioClient::list_samples(const std::string& category, int limit,
                                                    int offset) const {
  const std::string context = "Edge Impulse Studio: list " + category + " samples";
  if (limit < 1 || offset < 0) return invalid_argument(context, "limit >= 1 and offset >= 0");
  const std::string path = "/raw-data" + net::query_string({{"category", category},
                                                            {"limit", std::to_string(limit)},
                                                            {"offset", std::to_string(offset)}});
  auto body = json_call(m_http, request(net::Method::get, path, false), context);
  if (!body) return body.error();
  return parse_sample_page(body.value(), context);
}

RemoteResult<std::string> StudioClient::download_wav(std::int64_t sample_id) const {
  const std::string context = "Edge Impulse Studio: download sample " + std::to_string(sample_id);
  const std::string path = "/raw-data/" + std::to_string(sample_id) + "/wav?axisIx=0";
  auto response = call(m_http, request(net::Method::get, path, true), context);
  if (!response) return response.error();
  std::string bytes = std::move(response.value().body);
  if (bytes.size() < 12 || bytes.compare(0, 4, "RIFF") != 0 || bytes.compare(8, 4, "WAVE") != 0) {
    return protocol_error(context, "the answer is not a WAV file");
  }
  return bytes;
}

}  // namespace driftd::clients
