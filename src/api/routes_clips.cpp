// POST /api/v1/clips: a device uploads the raw audio of a clip it classified. The clip is
// analysed first (so a refused clip costs no disk), then stored with its windows by the
// clip archive, which answers only after the row has committed.

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdint>
#include <span>

#include "driftd/api/api_error.hpp"
#include "driftd/api/clip_params.hpp"
#include "driftd/api/routes.hpp"
#include "driftd/audio/audio_errors.hpp"
#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/audio/decoder.hpp"

namespace driftd::api {

namespace {

// The audio module's refusals as HTTP: not a format driftd decodes 415, longer than
// features.max_clip_seconds 413, anything else wrong with the bytes 400.
ApiError audio_error(const Error& error) {
  int status = 400;
  if (error.code == audio::k_unsupported_audio_format) {
    status = 415;
  } else if (error.code == audio::k_audio_too_long) {
    status = 413;
  }
  return ApiError(status, error.code, error.message);
}

store::ClipUpload upload_for(const ClipParams& params, const audio::DecodedAudio& decoded,
                             const audio::ClipFeatures& features, util::UnixMs received_at) {
  store::ClipUpload upload;
  upload.device_id = params.device_id;
  upload.model_version = params.model_version;
  upload.timestamp = params.timestamp;
  upload.received = received_at;
  upload.label = params.label;
  upload.confidence = params.confidence;
  upload.result_id = params.result_id;
  upload.extension = decoded.container;
  upload.sample_rate_hz = decoded.sample_rate_hz;
  upload.channels = decoded.channels;
  upload.duration_ms = std::llround(decoded.duration_seconds() * 1000.0);
  upload.windows.reserve(features.windows.size());
  for (const audio::WindowFeatures& w : features.windows) {
    upload.windows.push_back({params.timestamp + w.start_ms, audio::drift_features(w)});
  }
  return upload;
}

Reply post_clip(Service& service, const Request& req) {
  const ClipParams params = parse_clip_params(req.query, req.received_at);
  req.require_device(params.device_id, std::nullopt);
  if (service.analyzer == nullptr || service.clips == nullptr) {
    throw ApiError(503, "clips_unavailable", "clip ingest is not available in this process");
  }

  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(req.body.data()),
                                            req.body.size());
  const auto decoded = audio::decode_audio(bytes, {service.analyzer->features().max_clip_seconds});
  if (!decoded) throw audio_error(decoded.error());
  const auto features = service.analyzer->analyze_audio(*decoded);
  if (!features) throw audio_error(features.error());

  const auto stored =
      service.clips->add(upload_for(params, *decoded, *features, req.received_at), req.body);
  if (!stored) throw api_error_from_store(stored.error());
  if (stored->eviction_error) {
    spdlog::warn("clip quota: eviction failed: {}", stored->eviction_error->message);
  } else if (stored->eviction.files_removed > 0) {
    spdlog::info("clip quota: evicted {} files ({} bytes){}", stored->eviction.files_removed,
                 stored->eviction.bytes_freed,
                 stored->eviction.still_over_quota ? "; still over quota: the rest is pinned" : "");
  }

  nlohmann::json answer = {{"clip_id", stored->clip_id}, {"windows", stored->windows}};
  if (stored->duplicate) {
    answer["duplicate"] = true;
  } else {
    service.metrics.clips_ingested.inc();
    service.metrics.windows_processed.inc(static_cast<double>(stored->windows));
  }
  return Reply::json(201, answer);
}

}  // namespace

void add_clip_routes(HttpServer& server, Service& service) {
  server.add_route({"POST", "/api/v1/clips", "/api/v1/clips", Access::ingest, BodyKind::audio,
                    [&service](const Request& req) { return post_clip(service, req); }});
}

}  // namespace driftd::api
