// The ingestion service's multipart endpoint, POST /api/{category}/files, as the Edge
// Impulse ingestion docs and the official uploader/SDK describe it
// (edge-impulse-github-api.md §1.2-1.5, §1.7):
//  - x-api-key required (401); every part named "data" is a file; "*.labels" parts are
//    sidecars (accepted, not stored); only .wav files are stored here (others: per-file
//    error), and they must parse as WAV;
//  - x-label is percent-decoded (decodeURIComponent; cpp-httplib 0.11 decodes every
//    header value while parsing, so the handler sees it decoded); x-no-label: 1 stores the file
//    unlabeled; without either the label is inferred from the file name with
//    ^[a-zA-Z0-9\s-_]+ ("idle.01.wav" → "idle");
//  - x-disallow-duplicates (1/true): a file whose SHA-256 the project already holds gets
//    the per-file error "An item with this hash already exists (sample ID N)";
//  - x-add-date-id: 1 appends a unique id to the stored name; x-metadata: a JSON object
//    of strings, stored with the sample;
//  - category split: training or testing by the content hash (about 80/20);
//  - answer 200 {"success":true,"files":[{"success","sampleId","projectId","fileName"} |
//    {"success":false,"error"}]}; whole-request errors {"success":false,"error"} with 400.
#include <cctype>

#include "driftd/util/secrets.hpp"
#include "driftd/util/time.hpp"
#include "state.hpp"
#include "wire.hpp"

namespace driftd::standins {

namespace {

const std::set<std::string> k_categories = {"training", "testing",         "validation",
                                            "anomaly",  "post-processing", "split"};

bool flag_set(const httplib::Request& req, const char* name) {
  if (!req.has_header(name)) return false;
  const std::string v = req.get_header_value(name);
  return v == "1" || v == "true";
}

std::string inferred_label(const std::string& file_name) {
  std::string out;
  for (char c : file_name) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || std::isspace(u) || c == '-' || c == '_')) break;
    out += c;
  }
  return out;
}

std::string stem(const std::string& name) {
  return name.ends_with(".wav") ? name.substr(0, name.size() - 4) : name;
}

nlohmann::json store_file(State& state, const httplib::MultipartFormData& part,
                          const std::string& category, const std::optional<std::string>& label,
                          const std::map<std::string, std::string>& metadata, bool no_duplicates,
                          bool add_date_id) {
  if (!part.filename.ends_with(".wav")) {
    return {{"success", false}, {"error", "Unsupported file type for " + part.filename}};
  }
  const auto info = read_wav_info(part.content);
  if (!info) return {{"success", false}, {"error", "Failed to parse WAV file " + part.filename}};
  const std::string hash = util::sha256_hex(part.content);

  std::lock_guard lock(state.mutex);
  if (no_duplicates) {
    for (const auto& s : state.samples) {
      if (s.sha256 == hash) {
        return {{"success", false},
                {"error",
                 "An item with this hash already exists (sample ID " + std::to_string(s.id) + ")"}};
      }
    }
  }
  StoredSample s;
  s.original_name = part.filename;
  s.file_name = stem(part.filename);
  if (add_date_id) s.file_name += "." + util::random_hex(6);
  s.category = category;
  if (category == "split")
    s.category = static_cast<unsigned char>(hash[0]) < 'd' ? "training" : "testing";
  s.label = label;
  s.metadata = metadata;
  s.sha256 = hash;
  s.bytes = part.content;
  s.sample_rate_hz = info->sample_rate_hz;
  s.frames = info->frames;
  const std::string stored_name = s.file_name;
  const auto id = state.add_sample_locked(std::move(s), util::now_ms());
  return {{"success", true},
          {"sampleId", id},
          {"projectId", state.options.project_id},
          {"fileName", stored_name}};
}

void upload(State& state, const httplib::Request& req, httplib::Response& res) {
  const std::string category = req.matches[1];
  if (!req.has_header("x-api-key")) return reply_ei_error(res, 401, "Missing x-api-key header");
  if (!util::constant_time_equal(req.get_header_value("x-api-key"), state.options.ei_api_key)) {
    return reply_ei_error(res, 401, "Invalid API key");
  }
  if (!k_categories.contains(category)) {
    return reply_ei_error(res, 400, "Invalid category \"" + category + "\"");
  }
  if (!req.is_multipart_form_data()) {
    return reply_ei_error(res, 400, "Expected a multipart/form-data body");
  }

  // cpp-httplib 0.11 has already percent-decoded every header value (once, as the
  // service is inferred to decode x-label); what is left to check is the UTF-8.
  std::optional<std::string> label;
  if (!flag_set(req, "x-no-label") && req.has_header("x-label")) {
    label = req.get_header_value("x-label");
    if (!valid_utf8(*label))
      return reply_ei_error(res, 400, "x-label is not valid UTF-8 once decoded");
    if (label->empty()) label.reset();
  }
  std::map<std::string, std::string> metadata;
  if (req.has_header("x-metadata")) {
    const auto json = nlohmann::json::parse(req.get_header_value("x-metadata"), nullptr, false);
    if (!json.is_object()) return reply_ei_error(res, 400, "x-metadata must be a JSON object");
    for (const auto& [k, v] : json.items()) {
      if (!v.is_string()) return reply_ei_error(res, 400, "x-metadata values must be strings");
      metadata[k] = v.get<std::string>();
    }
  }

  nlohmann::json files = nlohmann::json::array();
  const auto range = req.files.equal_range("data");
  for (auto it = range.first; it != range.second; ++it) {
    const auto& part = it->second;
    if (part.filename.ends_with(".labels")) continue;  // a sidecar, not a sample
    std::optional<std::string> file_label = label;
    if (!file_label && !flag_set(req, "x-no-label") && !req.has_header("x-label")) {
      if (std::string inferred = inferred_label(part.filename); !inferred.empty()) {
        file_label = inferred;
      }
    }
    files.push_back(store_file(state, part, category, file_label, metadata,
                               flag_set(req, "x-disallow-duplicates"),
                               flag_set(req, "x-add-date-id")));
  }
  if (files.empty()) return reply_ei_error(res, 400, "No files found in the \"data\" field");
  reply_json(res, 200, {{"success", true}, {"files", files}});
}

}  // namespace

void add_ingestion_routes(httplib::Server& server, State& state, const Wrap& wrap) {
  server.Post(
      R"(/api/([a-z-]+)/files)",
      wrap(Route::ingestion_files, [&state](const httplib::Request& req, httplib::Response& res) {
        upload(state, req, res);
      }));
}

}  // namespace driftd::standins
