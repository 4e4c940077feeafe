#pragma once
// The outside world for the net and clients tests: the Edge Impulse and GitHub stand-ins
// running in-process on a loopback port, configs pointing at them, an HTTP client whose
// calls are recorded, and checks that no secret leaks into an error message.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "driftd/clients/edge_impulse_ingestion.hpp"
#include "driftd/clients/edge_impulse_studio.hpp"
#include "driftd/clients/github.hpp"
#include "driftd/clients/remote_error.hpp"
#include "driftd/config/config.hpp"
#include "driftd/net/http_client.hpp"
#include "driftd/standins/standins.hpp"

namespace driftd::test {

// Keeps every CallRecord it is given.
class RecordingObserver : public net::CallObserver {
 public:
  void on_call(const net::CallRecord& record) noexcept override;
  std::vector<net::CallRecord> records() const;

 private:
  mutable std::mutex m_mutex;
  std::vector<net::CallRecord> m_records;
};

// Short limits so that failing tests fail fast (still far above loopback latencies).
inline constexpr net::Timeouts k_test_timeouts{std::chrono::seconds(2), std::chrono::seconds(10)};

// Stand-ins started on an ephemeral port, and clients aimed at them.
struct OutsideWorld {
  explicit OutsideWorld(standins::StandinOptions options = {});

  standins::Standins standins;
  std::shared_ptr<RecordingObserver> observer;
  net::HttpClient http;
  config::EdgeImpulse edge_impulse;
  config::GitHub github;

  clients::IngestionClient ingestion(net::Timeouts t = k_test_timeouts) const;
  clients::StudioClient studio(net::Timeouts t = k_test_timeouts) const;
  clients::GitHubClient github_client(net::Timeouts t = k_test_timeouts) const;

  // Polls the job until it reports finished (at most 20 polls).
  clients::JobStatus wait_for_job(std::int64_t job_id) const;
};

// Upload options with `label` (nothing: unlabeled) for `category`.
clients::UploadOptions upload_options(std::optional<std::string> label,
                                      std::string category = "training");

// A fault of `kind` for the next `times` requests.
standins::Fault fault(standins::FaultKind kind, int times = 1);
// A slow answer after `delay`.
standins::Fault slow_fault(std::chrono::milliseconds delay);
// A 429 / GitHub 403 rate limit asking to wait `wait` (as an HTTP-date when `as_date`).
standins::Fault rate_fault(standins::FaultKind kind, std::chrono::seconds wait,
                           bool as_date = false);

// A 16-bit mono PCM WAV of `frames` samples at `rate` whose content depends on `seed`.
std::string wav_clip(unsigned seed, std::size_t frames = 1600, int rate = 16000);

// Checks (doctest CHECKs) that `error` has `kind` and that no secret the stand-ins accept
// appears in its message.
void check_remote_error(const clients::RemoteError& error, clients::RemoteErrorKind kind);

// Checks that `text` contains neither the stand-ins' API key nor their GitHub token.
void check_no_secret(const std::string& text);

}  // namespace driftd::test
