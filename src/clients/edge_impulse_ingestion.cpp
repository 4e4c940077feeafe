// The ingestion upload. Request shape from the Edge Impulse ingestion docs and the
// official uploader: multipart parts named "data", x-label percent-encoded like
// encodeURIComponent, x-no-label: 1 for unlabeled files (driftd then sends no x-label at
// all: the docs define x-no-label alone; the uploader also sends an empty x-label, which
// adds nothing), x-disallow-duplicates: 1. The answer's per-file shape is the one the
// official clients parse: {"success":true,"files":[{"success","sampleId","fileName","error"}]}.
// A duplicate is recognized by its text ("An item with this hash already exists ..."),
// per file or for the whole request.
#include "driftd/clients/edge_impulse_ingestion.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "driftd/clients/remote_failure.hpp"
#include "driftd/net/url.hpp"
#include "driftd/util/secrets.hpp"
#include "edge_impulse_body.hpp"

namespace driftd::clients {

namespace {

constexpr std::size_t k_max_files_per_request = 1000;  // the ingestion docs' limit

bool valid_category(const std::string& category) {
  return !category.empty() && std::all_of(category.begin(), category.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || c == '-';
  });
}

RemoteError invalid(std::string message) {
  RemoteError error;
  error.kind = RemoteErrorKind::invalid;
  error.message = util::redact(std::move(message));
  return error;
}

std::vector<UploadFileResult> all_duplicates(const std::vector<UploadFile>& files,
                                             const std::string& text) {
  std::vector<UploadFileResult> results;
  for (const auto& f : files) {
    results.push_back(
        UploadFileResult{f.file_name, UploadFileStatus::duplicate, std::nullopt, "", text});
  }
  return results;
}

RemoteResult<std::vector<UploadFileResult>> parse_files(const nlohmann::json& body,
                                                        const std::vector<UploadFile>& files,
                                                        std::string_view context) {
  const auto list = body.find("files");
  if (list == body.end() || !list->is_array() || list->empty()) {
    return protocol_error(context, "the answer lists no files");
  }
  if (list->size() != files.size()) {
    return protocol_error(context, "the answer lists " + std::to_string(list->size()) +
                                       " files for " + std::to_string(files.size()) + " sent");
  }
  std::vector<UploadFileResult> results;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& item = (*list)[i];
    if (!item.is_object() || !item.contains("success") || !item["success"].is_boolean()) {
      return protocol_error(context, "file " + std::to_string(i) + " has no \"success\" field");
    }
    UploadFileResult r;
    r.file_name = files[i].file_name;
    if (item.contains("fileName") && item["fileName"].is_string()) {
      r.stored_name = item["fileName"].get<std::string>();
    }
    if (item["success"].get<bool>()) {
      r.status = UploadFileStatus::stored;
      if (item.contains("sampleId") && item["sampleId"].is_number_integer()) {
        r.sample_id = item["sampleId"].get<std::int64_t>();
      }
    } else {
      r.error = item.contains("error") && item["error"].is_string()
                    ? util::redact(item["error"].get<std::string>())
                    : "refused without a reason";
      r.status = detail::says_duplicate(r.error) ? UploadFileStatus::duplicate
                                                 : UploadFileStatus::rejected;
    }
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace

std::string encode_label_header(const std::string& label) {
  return net::encode_uri_component(label);
}

IngestionClient::IngestionClient(net::HttpClient http, const config::EdgeImpulse& config,
                                 std::string api_key, net::TimeoutPolicy timeouts)
    : m_http(std::move(http)),
      m_ingestion_url(config.ingestion_url),
      m_api_key(std::move(api_key)),
      m_timeouts(timeouts) {
  util::register_secret(m_api_key);
}

RemoteResult<std::vector<UploadFileResult>> IngestionClient::upload(
    const std::vector<UploadFile>& files, const UploadOptions& options) const {
  const std::string context = "Edge Impulse ingestion: upload of " + std::to_string(files.size()) +
                              " file(s) to " + options.category;
  if (files.empty() || files.size() > k_max_files_per_request) {
    return invalid(context + ": between 1 and 1000 files per request");
  }
  if (!valid_category(options.category)) return invalid(context + ": invalid category");

  net::HttpRequest request;
  request.service = "edge_impulse_ingestion";
  request.method = net::Method::post;
  request.url = net::join_url(m_ingestion_url, "/api/" + options.category + "/files");
  request.timeouts = m_timeouts.transfer;
  request.headers = {{"x-api-key", m_api_key}, {"Accept", "application/json"}};
  if (options.label && !options.label->empty()) {
    request.headers.push_back({"x-label", encode_label_header(*options.label)});
  } else {
    request.headers.push_back({"x-no-label", "1"});
  }
  if (options.disallow_duplicates) request.headers.push_back({"x-disallow-duplicates", "1"});
  if (options.add_date_id) request.headers.push_back({"x-add-date-id", "1"});
  if (!options.metadata.empty()) {
    request.headers.push_back({"x-metadata", nlohmann::json(options.metadata).dump(-1, ' ', true)});
  }
  for (const auto& f : files) {
    if (f.file_name.empty()) return invalid(context + ": a file has no name");
    request.parts.push_back(net::MultipartPart{"data", f.file_name, "audio/wav", f.bytes});
  }

  net::HttpOutcome outcome = m_http.send(request);
  if (auto* failure = std::get_if<net::TransportFailure>(&outcome)) {
    return classify_transport_failure(*failure, context);
  }
  const auto& response = std::get<net::HttpResponse>(outcome);
  if (response.status < 200 || response.status > 299) {
    const std::string text = remote_error_text(response.body);
    const bool plain_refusal =
        response.status == 400 || response.status == 409 || response.status == 422;
    if (plain_refusal && detail::says_duplicate(text)) return all_duplicates(files, text);
    return classify_http_failure(response, context, util::now_ms());
  }
  auto json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_object() && json.contains("success") && json["success"] == false) {
    const std::string text = remote_error_text(response.body);
    if (detail::says_duplicate(text)) return all_duplicates(files, text);
  }
  auto body = detail::success_body(response, context);
  if (!body) return body.error();
  return parse_files(body.value(), files, context);
}

}  // namespace driftd::clients
