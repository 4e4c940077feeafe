#pragma once
// Edge Impulse ingestion service: uploading WAV clips to a project
// (POST {ingestion_url}/api/{category}/files, multipart field "data").
// One call = one request; no retries (the retrain runner decides).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "driftd/clients/remote_error.hpp"
#include "driftd/config/config.hpp"
#include "driftd/net/http_client.hpp"
#include "driftd/net/timeouts.hpp"

namespace driftd::clients {

// One file to upload: its name (should end in ".wav") and its bytes.
struct UploadFile {
  std::string file_name;
  std::string bytes;
};

struct UploadOptions {
  std::string category = "training";  // training | testing | split | ...
  // The label for every file of the request; nothing (or "") uploads them unlabeled
  // (x-no-label: 1 and no x-label header).
  std::optional<std::string> label;
  bool disallow_duplicates = true;              // x-disallow-duplicates: 1
  bool add_date_id = true;                      // x-add-date-id: 1 (unique stored names)
  std::map<std::string, std::string> metadata;  // x-metadata when not empty
};

enum class UploadFileStatus {
  stored,     // the project now holds the file
  duplicate,  // refused because the project already holds the same content
  rejected,   // refused for another reason (see error)
};

// What became of one file of the request, in the order the files were given.
struct UploadFileResult {
  std::string file_name;  // as given
  UploadFileStatus status = UploadFileStatus::rejected;
  std::optional<std::int64_t> sample_id;  // when stored
  std::string stored_name;                // the name the service reported, when any
  std::string error;                      // the service's text for duplicate/rejected
};

// The label as the x-label header carries it: encodeURIComponent of the UTF-8 text.
std::string encode_label_header(const std::string& label);

class IngestionClient {
 public:
  // `api_key` is the project's key (read by the caller with util::read_secret); it is
  // registered for redaction and only ever sent in the x-api-key header.
  IngestionClient(net::HttpClient http, const config::EdgeImpulse& config, std::string api_key,
                  net::TimeoutPolicy timeouts = {});

  // Uploads `files` (1..1000) in one multipart request. A whole-request failure is a
  // RemoteError; otherwise one result per file. A request whose every file was refused as
  // a duplicate is a success with all results `duplicate`.
  RemoteResult<std::vector<UploadFileResult>> upload(const std::vector<UploadFile>& files,
                                                     const UploadOptions& options) const;

 private:
  net::HttpClient m_http;
  std::string m_ingestion_url;
  std::string m_api_key;
  net::TimeoutPolicy m_timeouts;
};

}  // namespace driftd::clients
