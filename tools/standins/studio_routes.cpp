// The Studio API routes driftd uses, shaped like the Studio OpenAPI models in the
// generated client of edgeimpulse/edge-impulse-cli (edge-impulse-github-api.md §2, §8):
// every answer is {"success": true, ...} or {"success": false, "error"} (401 without the
// project's x-api-key, 404 for another project or an unknown job/sample, 400 for bad
// parameters). Jobs finish after a number of status polls (or a time), successfully
// unless told to fail; their log comes newest first; classify results are what the test
// configured for the variant, available once a classify job for it has finished.
#include <algorithm>
#include <charconv>

#include "driftd/util/secrets.hpp"
#include "driftd/util/time.hpp"
#include "state.hpp"
#include "wire.hpp"

namespace driftd::standins {

namespace {

using nlohmann::json;
using Handler = std::function<void(State&, const httplib::Request&, httplib::Response&)>;

const std::set<std::string> k_variants = {"int8", "float32", "akida"};
const std::set<std::string> k_list_categories = {"training",        "testing", "validation",
                                                 "post-processing", "anomaly", "all"};

std::optional<std::int64_t> to_integer(const std::string& text) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

// Checks the key and the project id (matches[1]) before `handler` runs.
RouteHandler guarded(State& state, Handler handler) {
  return [&state, handler = std::move(handler)](const httplib::Request& req,
                                                httplib::Response& res) {
    if (!req.has_header("x-api-key") ||
        !util::constant_time_equal(req.get_header_value("x-api-key"), state.options.ei_api_key)) {
      return reply_ei_error(res, 401, "Invalid API key or no API key given (x-api-key)");
    }
    if (to_integer(req.matches[1]) != state.options.project_id) {
      return reply_ei_error(res, 404, "Project not found or no access");
    }
    handler(state, req, res);
  };
}

json job_json(const Job& job) {
  json j = {{"id", job.record.id},
            {"category", job.record.kind == "retrain" ? "Retraining model" : "Classify all"},
            {"categoryKey", job.record.kind},
            {"key", job.record.kind + "-" + std::to_string(job.record.id)},
            {"created", util::format_rfc3339(job.created)},
            {"started", util::format_rfc3339(job.created)},
            {"jobNotificationUids", json::array()}};
  if (job.record.finished) {
    j["finished"] = util::format_rfc3339(job.finished_at);
    j["finishedSuccessful"] = job.record.successful.value_or(false);
  }
  return j;
}

json sample_json(const StoredSample& s, std::int64_t project_id) {
  const double interval = s.sample_rate_hz > 0 ? 1000.0 / s.sample_rate_hz : 0;
  return {{"id", s.id},
          {"filename", s.file_name},
          {"signatureValidate", false},
          {"created", util::format_rfc3339(s.added_ms)},
          {"lastModified", util::format_rfc3339(s.added_ms)},
          {"category", s.category},
          {"coldstorageFilename", "standin/" + s.sha256},
          {"label", s.label.value_or("")},
          {"intervalMs", interval},
          {"frequency", s.sample_rate_hz},
          {"originalIntervalMs", interval},
          {"originalFrequency", s.sample_rate_hz},
          {"deviceType", "standin"},
          {"sensors", json::array({{{"name", "audio"}, {"units", "wav"}}})},
          {"valuesCount", s.frames},
          {"totalLengthMs", s.frames * interval},
          {"added", util::format_rfc3339(s.added_ms)},
          {"boundingBoxes", json::array()},
          {"boundingBoxesType", "object_detection"},
          {"chartType", "chart"},
          {"isDisabled", false},
          {"isProcessing", false},
          {"processingError", false},
          {"isCropped", false},
          {"projectId", project_id},
          {"sha256Hash", s.sha256},
          {"metadata", s.metadata},
          {"datastreams", json::array()}};
}

void start_job(State& state, const std::string& kind, std::vector<std::string> variants,
               httplib::Response& res) {
  std::lock_guard lock(state.mutex);
  Job& job = state.create_job_locked(kind, util::now_ms());
  job.record.variants = std::move(variants);
  reply_json(res, 200, {{"success", true}, {"id", job.record.id}});
}

void retrain(State& state, const httplib::Request&, httplib::Response& res) {
  start_job(state, "retrain", {}, res);
}

void classify(State& state, const httplib::Request& req, httplib::Response& res) {
  std::vector<std::string> variants = {"int8"};
  if (!req.body.empty()) {
    const auto body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return reply_ei_error(res, 400, "Body must be a JSON object");
    if (body.contains("modelVariants")) {
      const auto& list = body["modelVariants"];
      if (!list.is_array() || list.empty()) {
        return reply_ei_error(res, 400, "modelVariants must be a non-empty array");
      }
      variants.clear();
      for (const auto& v : list) {
        if (!v.is_string() || !k_variants.contains(v.get<std::string>())) {
          return reply_ei_error(res, 400, "Invalid model variant " + v.dump());
        }
        variants.push_back(v.get<std::string>());
      }
    }
  }
  start_job(state, "classify", std::move(variants), res);
}

void job_status(State& state, const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(state.mutex);
  auto it = state.jobs.find(to_integer(req.matches[2]).value_or(-1));
  if (it == state.jobs.end()) return reply_ei_error(res, 404, "Job not found");
  state.poll_job_locked(it->second, util::now_ms());
  reply_json(res, 200, {{"success", true}, {"job", job_json(it->second)}});
}

// GET jobs/all: every job, newest first; startDate (RFC 3339) and limit are honoured.
void jobs_list(State& state, const httplib::Request& req, httplib::Response& res) {
  std::optional<UnixMs> since;
  if (req.has_param("startDate")) {
    since = util::parse_rfc3339(req.get_param_value("startDate"));
    if (!since) return reply_ei_error(res, 400, "startDate must be a date-time");
  }
  std::int64_t limit = 50;
  if (req.has_param("limit")) {
    auto v = to_integer(req.get_param_value("limit"));
    if (!v || *v < 1) return reply_ei_error(res, 400, "limit must be a positive integer");
    limit = *v;
  }
  std::lock_guard lock(state.mutex);
  json jobs = json::array();
  for (auto it = state.jobs.rbegin(); it != state.jobs.rend() && std::ssize(jobs) < limit; ++it) {
    if (since && it->second.created < *since) continue;
    jobs.push_back(job_json(it->second));
  }
  reply_json(res, 200, {{"success", true}, {"jobs", jobs}, {"totalJobCount", jobs.size()}});
}

void job_stdout(State& state, const httplib::Request& req, httplib::Response& res) {
  std::int64_t limit = 1000;  // "only the last 1000 lines are returned"
  if (req.has_param("limit")) {
    auto v = to_integer(req.get_param_value("limit"));
    if (!v || *v < 0) return reply_ei_error(res, 400, "limit must be a non-negative integer");
    limit = std::min<std::int64_t>(*v, 1000);
  }
  std::lock_guard lock(state.mutex);
  auto it = state.jobs.find(to_integer(req.matches[2]).value_or(-1));
  if (it == state.jobs.end()) return reply_ei_error(res, 404, "Job not found");
  const auto& log = it->second.log;
  json lines = json::array();
  for (auto l = log.rbegin(); l != log.rend() && std::ssize(lines) < limit; ++l) {
    lines.push_back({{"created", util::format_rfc3339(l->created)},
                     {"data", l->text + "\n"},
                     {"logLevel", l->level}});
  }
  reply_json(res, 200, {{"success", true}, {"stdout", lines}, {"totalCount", log.size()}});
}

void classify_result(State& state, const httplib::Request& req, httplib::Response& res) {
  const std::string variant = req.has_param("variant") ? req.get_param_value("variant") : "int8";
  if (!k_variants.contains(variant)) return reply_ei_error(res, 400, "Invalid variant " + variant);
  std::lock_guard lock(state.mutex);
  if (!state.classified_variants.contains(variant)) {
    return reply_ei_error(
        res, 400,
        "No classification results for variant " + variant + "; start a classify job first");
  }
  auto it = state.classify_results.find(variant);
  if (it == state.classify_results.end()) it = state.classify_results.find("");
  const auto per_class =
      it != state.classify_results.end() ? it->second : std::map<std::string, ClassScore>{};
  json summary = json::object();
  json labels = json::array();
  std::int64_t good = 0, bad = 0;
  for (const auto& [label, score] : per_class) {
    summary[label] = {{"good", score.good}, {"bad", score.bad}};
    labels.push_back(label);
    good += score.good;
    bad += score.bad;
  }
  reply_json(res, 200,
             {{"success", true},
              {"result", json::array()},
              {"predictions", json::array()},
              {"accuracy",
               {{"totalSummary", {{"good", good}, {"bad", bad}}},
                {"summaryPerClass", summary},
                {"confusionMatrixValues", json::object()},
                {"allLabels", labels}}},
              {"additionalMetricsByLearnBlock", json::array()},
              {"availableVariants", json(state.classified_variants)}});
}

void raw_data(State& state, const httplib::Request& req, httplib::Response& res) {
  if (!req.has_param("category")) return reply_ei_error(res, 400, "category is required");
  const std::string category = req.get_param_value("category");
  if (!k_list_categories.contains(category)) {
    return reply_ei_error(res, 400, "Invalid category " + category);
  }
  std::int64_t limit = -1, offset = 0;
  for (auto [name, target] : {std::pair{"limit", &limit}, std::pair{"offset", &offset}}) {
    if (!req.has_param(name)) continue;
    auto v = to_integer(req.get_param_value(name));
    if (!v || *v < 0) return reply_ei_error(res, 400, std::string(name) + " must be >= 0");
    *target = *v;
  }
  std::lock_guard lock(state.mutex);
  std::vector<const StoredSample*> matching;
  for (auto s = state.samples.rbegin(); s != state.samples.rend(); ++s) {  // id-desc
    if (category == "all" || s->category == category) matching.push_back(&*s);
  }
  json samples = json::array();
  for (std::size_t i = static_cast<std::size_t>(offset);
       i < matching.size() && (limit < 0 || std::ssize(samples) < limit); ++i) {
    samples.push_back(sample_json(*matching[i], state.options.project_id));
  }
  reply_json(res, 200, {{"success", true}, {"samples", samples}, {"totalCount", matching.size()}});
}

void raw_data_wav(State& state, const httplib::Request& req, httplib::Response& res) {
  if (!req.has_param("axisIx") || !to_integer(req.get_param_value("axisIx"))) {
    return reply_ei_error(res, 400, "axisIx is required");
  }
  if (to_integer(req.get_param_value("axisIx")) != 0) {
    return reply_ei_error(res, 400, "axisIx out of range (the sample has one axis)");
  }
  std::lock_guard lock(state.mutex);
  const auto id = to_integer(req.matches[2]).value_or(-1);
  for (const auto& s : state.samples) {
    if (s.id == id) {
      res.status = 200;
      res.set_content(s.bytes, "audio/wav");
      return;
    }
  }
  reply_ei_error(res, 404, "Sample not found");
}

}  // namespace

void add_studio_routes(httplib::Server& server, State& state, const Wrap& wrap) {
  const std::string p = R"(/v1/api/(\d+))";
  server.Post(p + "/jobs/retrain", wrap(Route::studio_retrain, guarded(state, retrain)));
  server.Post(p + "/jobs/classify", wrap(Route::studio_classify, guarded(state, classify)));
  server.Get(p + "/jobs/all", wrap(Route::studio_jobs_list, guarded(state, jobs_list)));
  server.Get(p + R"(/jobs/(\d+)/status)",
             wrap(Route::studio_job_status, guarded(state, job_status)));
  server.Get(p + R"(/jobs/(\d+)/stdout)",
             wrap(Route::studio_job_stdout, guarded(state, job_stdout)));
  server.Get(p + "/classify/all/result",
             wrap(Route::studio_classify_result, guarded(state, classify_result)));
  server.Get(p + "/raw-data", wrap(Route::studio_raw_data, guarded(state, raw_data)));
  server.Get(p + R"(/raw-data/(\d+)/wav)",
             wrap(Route::studio_raw_data_wav, guarded(state, raw_data_wav)));
}

}  // namespace driftd::standins
