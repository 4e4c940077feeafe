#include "ingest_sender.hpp"

#include <chrono>
#include <type_traits>
#include <variant>

#include <nlohmann/json.hpp>

#include "driftd/net/url.hpp"
#include "driftd/sim/wire.hpp"

namespace driftd::sim {

namespace {

// driftd answers ingest in milliseconds; these only bound a stalled daemon.
constexpr net::Timeouts k_ingest_timeouts{std::chrono::seconds(5), std::chrono::seconds(30)};
constexpr std::size_t k_max_answer_bytes = 1 << 20;

void read_answer(const net::HttpResponse& response, SendOutcome& outcome) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object()) return;
  if (outcome.ok()) {
    if (body.contains("accepted") && body["accepted"].is_number_integer()) {
      outcome.accepted = body["accepted"].get<int>();
    } else if (body.contains("clip_id")) {
      outcome.accepted = 1;
    }
    if (body.contains("duplicates") && body["duplicates"].is_number_integer()) {
      outcome.duplicates = body["duplicates"].get<int>();
    }
  } else if (body.contains("error") && body["error"].is_object() &&
             body["error"].contains("code") && body["error"]["code"].is_string()) {
    outcome.error_code = body["error"]["code"].get<std::string>();
  }
}

}  // namespace

IngestSender::IngestSender(std::string base_url, std::string token)
    : m_base_url(std::move(base_url)),
      m_token(std::move(token)),
      m_client(nullptr, std::string("driftd-sim/") + DRIFTD_VERSION) {}

SendOutcome IngestSender::post_results(std::span<const Reading> readings) const {
  net::HttpRequest request;
  request.method = net::Method::post;
  request.url = net::join_url(m_base_url, "/api/v1/results");
  request.body = results_body(readings);
  request.content_type = "application/json";
  return send(std::move(request));
}

SendOutcome IngestSender::post_clip(const Reading& reading, const std::string& wav) const {
  net::HttpRequest request;
  request.method = net::Method::post;
  request.url = net::join_url(m_base_url, "/api/v1/clips") + net::query_string(clip_query(reading));
  request.body = wav;
  request.content_type = "audio/wav";
  return send(std::move(request));
}

SendOutcome IngestSender::send(net::HttpRequest request) const {
  request.service = "driftd";
  request.headers.push_back({"Authorization", "Bearer " + m_token});
  request.timeouts = k_ingest_timeouts;
  request.max_response_bytes = k_max_answer_bytes;
  const net::HttpOutcome outcome = m_client.send(request);
  SendOutcome result;
  if (const auto* response = std::get_if<net::HttpResponse>(&outcome)) {
    result.status = response->status;
    read_answer(*response, result);
  } else {
    result.transport = std::string(net::to_string(std::get<net::TransportFailure>(outcome).kind));
  }
  return result;
}

}  // namespace driftd::sim
