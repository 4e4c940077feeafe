#include "support/outside_world.hpp"

#include <doctest/doctest.h>

#include <cmath>

namespace driftd::test {

void RecordingObserver::on_call(const net::CallRecord& record) noexcept {
  std::lock_guard lock(m_mutex);
  m_records.push_back(record);
}

std::vector<net::CallRecord> RecordingObserver::records() const {
  std::lock_guard lock(m_mutex);
  return m_records;
}

OutsideWorld::OutsideWorld(standins::StandinOptions options)
    : standins(std::move(options)),
      observer(std::make_shared<RecordingObserver>()),
      http(observer) {
  standins.start();
  edge_impulse.project_id = standins.options().project_id;
  edge_impulse.studio_url = standins.base_url();
  edge_impulse.ingestion_url = standins.base_url() + "/";  // a trailing slash is tolerated
  github.api_url = standins.base_url();
  github.repository = standins.options().repositories.front();
}

clients::IngestionClient OutsideWorld::ingestion(net::Timeouts t) const {
  return clients::IngestionClient(http, edge_impulse, standins.options().ei_api_key,
                                  net::TimeoutPolicy::uniform(t));
}

clients::StudioClient OutsideWorld::studio(net::Timeouts t) const {
  return clients::StudioClient(http, edge_impulse, standins.options().ei_api_key,
                               net::TimeoutPolicy::uniform(t));
}

clients::GitHubClient OutsideWorld::github_client(net::Timeouts t) const {
  return clients::GitHubClient(http, github, standins.options().github_token,
                               net::TimeoutPolicy::uniform(t));
}

clients::JobStatus OutsideWorld::wait_for_job(std::int64_t job_id) const {
  const auto client = studio();
  for (int i = 0; i < 20; ++i) {
    auto status = client.job_status(job_id);
    REQUIRE_MESSAGE(status.ok(), (status.ok() ? "" : status.error().message));
    if (status->finished()) return status.value();
  }
  FAIL("job " << job_id << " did not finish");
  return {};
}

clients::UploadOptions upload_options(std::optional<std::string> label, std::string category) {
  clients::UploadOptions options;
  options.label = std::move(label);
  options.category = std::move(category);
  return options;
}

standins::Fault fault(standins::FaultKind kind, int times) {
  standins::Fault f;
  f.kind = kind;
  f.times = times;
  return f;
}

standins::Fault slow_fault(std::chrono::milliseconds delay) {
  auto f = fault(standins::FaultKind::slow);
  f.delay = delay;
  return f;
}

standins::Fault rate_fault(standins::FaultKind kind, std::chrono::seconds wait, bool as_date) {
  auto f = fault(kind);
  f.retry_after = wait;
  f.retry_after_as_date = as_date;
  return f;
}

std::string wav_clip(unsigned seed, std::size_t frames, int rate) {
  std::string out;
  auto put = [&out](std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  };
  const auto data_bytes = static_cast<std::uint32_t>(frames * 2);
  out += "RIFF";
  put(36 + data_bytes, 4);
  out += "WAVEfmt ";
  put(16, 4);
  put(1, 2);  // PCM
  put(1, 2);  // mono
  put(static_cast<std::uint32_t>(rate), 4);
  put(static_cast<std::uint32_t>(rate * 2), 4);
  put(2, 2);
  put(16, 2);
  out += "data";
  put(data_bytes, 4);
  for (std::size_t n = 0; n < frames; ++n) {
    const double v = 8000.0 * std::sin(0.01 * static_cast<double>((seed + 1) * n)) + seed;
    put(static_cast<std::uint16_t>(static_cast<std::int16_t>(std::lround(v))), 2);
  }
  return out;
}

void check_no_secret(const std::string& text) {
  const standins::StandinOptions defaults;
  CHECK_MESSAGE(text.find(defaults.ei_api_key) == std::string::npos, text);
  CHECK_MESSAGE(text.find(defaults.github_token) == std::string::npos, text);
}

void check_remote_error(const clients::RemoteError& error, clients::RemoteErrorKind kind) {
  CHECK_MESSAGE(error.kind == kind,
                "got " << clients::to_string(error.kind) << ": " << error.message);
  CHECK_FALSE(error.message.empty());
  check_no_secret(error.message);
  check_no_secret(error.to_error().message);
}

}  // namespace driftd::test
