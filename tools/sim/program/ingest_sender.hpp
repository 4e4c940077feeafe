#pragma once
// Sends what simulated devices produce to driftd: result batches and clips, one HTTP call
// each (libcurl through driftd's net::HttpClient), reporting what came back. No retries:
// a device that gets an error moves on to its next reading, and the run counts the error.

#include <span>
#include <string>

#include "driftd/net/http_client.hpp"
#include "driftd/sim/fleet.hpp"

namespace driftd::sim {

// What one call produced.
struct SendOutcome {
  int status = 0;          // HTTP status; 0 when there was no answer
  std::string transport;   // why there was no answer ("timeout", ...); empty otherwise
  int accepted = 0;        // results stored ({"accepted": N}); 1 for a stored clip
  int duplicates = 0;      // results acknowledged again ({"duplicates": N})
  std::string error_code;  // the `error.code` of an error answer, when there is one

  bool ok() const { return status >= 200 && status < 300; }
};

class IngestSender {
 public:
  // `base_url` is driftd's root ("http://127.0.0.1:8080"); `token` is sent as a bearer token.
  IngestSender(std::string base_url, std::string token);

  // POST /api/v1/results with `readings` (1..1000) as one body.
  SendOutcome post_results(std::span<const Reading> readings) const;
  // POST /api/v1/clips?… with `wav` as an audio/wav body.
  SendOutcome post_clip(const Reading& reading, const std::string& wav) const;

 private:
  SendOutcome send(net::HttpRequest request) const;

  std::string m_base_url;
  std::string m_token;
  net::HttpClient m_client;
};

}  // namespace driftd::sim
