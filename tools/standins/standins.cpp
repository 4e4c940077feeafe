// The stand-in server's life cycle and the wrapper every route goes through: fault
// injection first (a fault replaces or delays the answer), then the route's handler,
// then the request is recorded with the status it got.
#include <stdexcept>
#include <thread>

#include "driftd/util/secrets.hpp"
#include "driftd/util/time.hpp"
#include "state.hpp"
#include "wire.hpp"

namespace driftd::standins {

namespace {

constexpr std::size_t k_recorded_body_bytes = 1024 * 1024;
constexpr std::size_t k_max_payload_bytes = 256 * 1024 * 1024;

bool is_github(Route route) {
  return route == Route::github_dispatch;
}

void serve_fault(Route route, const Fault& fault, httplib::Response& res) {
  const UnixMs now = util::now_ms();
  const auto wait_ms = static_cast<UnixMs>(fault.retry_after.count()) * 1000;
  switch (fault.kind) {
    case FaultKind::server_error:
      if (is_github(route)) {
        reply_github_error(res, 500, "Server Error");
      } else {
        reply_ei_error(res, 500, "Internal server error");
      }
      break;
    case FaultKind::too_many_requests:
      if (is_github(route)) {
        reply_github_error(res, 429,
                           "You have exceeded a secondary rate limit. Please wait a few "
                           "minutes before you try again.");
      } else {
        reply_ei_error(res, 429, "Too many requests");
      }
      res.set_header("Retry-After", fault.retry_after_as_date
                                        ? http_date(now + wait_ms + 999)
                                        : std::to_string(fault.retry_after.count()));
      break;
    case FaultKind::github_rate_limit:
      reply_github_error(res, 403, "API rate limit exceeded for user ID 1.",
                         "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api");
      res.set_header("x-ratelimit-limit", "5000");
      res.set_header("x-ratelimit-remaining", "0");
      res.set_header("x-ratelimit-used", "5000");
      res.set_header("x-ratelimit-reset", std::to_string((now + wait_ms) / 1000 + 1));
      res.set_header("x-ratelimit-resource", "core");
      break;
    case FaultKind::slow:
    case FaultKind::drop_connection:
      break;
  }
}

}  // namespace

struct Standins::Impl {
  explicit Impl(StandinOptions options) : state(std::move(options)) {}

  State state;
  httplib::Server server;
  std::thread thread;
  int port = 0;
  bool started = false;

  void record(Route route, const httplib::Request& req, int status) {
    RecordedRequest r;
    r.route = route;
    r.method = req.method;
    r.path = req.path;
    const auto q = req.target.find('?');
    if (q != std::string::npos) r.query = req.target.substr(q + 1);
    for (const auto& [k, v] : req.headers) r.headers.emplace_back(k, v);
    r.body = req.body.substr(0, k_recorded_body_bytes);
    for (const auto& [name, part] : req.files) {
      r.parts.push_back({name, part.filename, part.content_type, part.content.size()});
    }
    r.status = status;
    std::lock_guard lock(state.mutex);
    state.requests.push_back(std::move(r));
  }

  // Waits up to `delay`; returns early (false) when the server stops.
  bool wait(std::chrono::milliseconds delay) {
    std::unique_lock lock(state.mutex);
    return !state.stop_cv.wait_for(lock, delay, [this] { return state.stopping; });
  }

  httplib::Server::Handler wrap(Route route, RouteHandler handler) {
    return [this, route, handler = std::move(handler)](const httplib::Request& req,
                                                       httplib::Response& res) {
      if (auto fault = state.take_fault(route)) {
        if (fault->kind == FaultKind::drop_connection) {
          if (drop_connection(req)) {
            record(route, req, 0);
            return;
          }
          reply_ei_error(res, 500, "the stand-in could not drop the connection");
          record(route, req, res.status);
          return;
        }
        if (fault->kind == FaultKind::slow) {
          if (!wait(fault->delay)) {
            reply_ei_error(res, 503, "the stand-in is stopping");
            record(route, req, res.status);
            return;
          }
        } else {
          serve_fault(route, *fault, res);
          record(route, req, res.status);
          return;
        }
      }
      handler(req, res);
      record(route, req, res.status);
    };
  }
};

Standins::Standins(StandinOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {}

Standins::~Standins() {
  stop();
}

void Standins::start() {
  Impl& impl = *m_impl;
  if (impl.started) return;
  auto& svr = impl.server;
  svr.set_tcp_nodelay(true);  // off by default in cpp-httplib 0.11: small answers stall
  svr.set_keep_alive_timeout(1);
  svr.set_payload_max_length(k_max_payload_bytes);
  const Wrap wrap = [&impl](Route route, RouteHandler handler) {
    return impl.wrap(route, std::move(handler));
  };
  add_ingestion_routes(svr, impl.state, wrap);
  add_studio_routes(svr, impl.state, wrap);
  add_github_routes(svr, impl.state, wrap);
  if (impl.state.options.control_api) add_control_routes(svr, impl.state);
  svr.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        reply_ei_error(res, 500, "the stand-in failed on this request");
      });

  const auto& opts = impl.state.options;
  if (opts.port == 0) {
    impl.port = svr.bind_to_any_port(opts.host);
  } else {
    impl.port = svr.bind_to_port(opts.host, opts.port) ? opts.port : -1;
  }
  if (impl.port <= 0) {
    throw std::runtime_error("cannot listen on " + opts.host + ":" + std::to_string(opts.port));
  }
  impl.thread = std::thread([&svr] { svr.listen_after_bind(); });
  // cpp-httplib's stop() does nothing until the accept loop has marked itself running,
  // so a stop() right after start() would leave the thread in accept() forever.
  while (!svr.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl.started = true;
}

void Standins::stop() {
  Impl& impl = *m_impl;
  if (!impl.started) return;
  {
    std::lock_guard lock(impl.state.mutex);
    impl.state.stopping = true;
  }
  impl.state.stop_cv.notify_all();
  impl.server.stop();
  if (impl.thread.joinable()) impl.thread.join();
  impl.started = false;
}

int Standins::port() const {
  return m_impl->port;
}

std::string Standins::base_url() const {
  return "http://" + m_impl->state.options.host + ":" + std::to_string(m_impl->port);
}

const StandinOptions& Standins::options() const {
  return m_impl->state.options;
}

void Standins::inject_fault(Route route, Fault fault) {
  m_impl->state.inject_fault(route, fault);
}

void Standins::clear_faults() {
  std::lock_guard lock(m_impl->state.mutex);
  m_impl->state.faults.clear();
}

void Standins::set_classify_result(std::map<std::string, ClassScore> per_class,
                                   const std::string& variant) {
  std::lock_guard lock(m_impl->state.mutex);
  m_impl->state.classify_results[variant] = std::move(per_class);
}

void Standins::set_test_accuracy(double fraction, const std::string& variant) {
  m_impl->state.set_test_accuracy(fraction, variant);
}

void Standins::fail_next_jobs(const std::string& kind, int count,
                              std::vector<std::string> log_lines) {
  std::lock_guard lock(m_impl->state.mutex);
  for (int i = 0; i < count; ++i) m_impl->state.planned_failures.push_back({kind, log_lines});
}

void Standins::set_polls_until_finished(int polls) {
  std::lock_guard lock(m_impl->state.mutex);
  m_impl->state.options.polls_until_finished = polls;
}

std::int64_t Standins::add_sample(const std::string& category, const std::string& file_name,
                                  std::optional<std::string> label, std::string wav) {
  const auto info = read_wav_info(wav);
  if (!info) throw std::invalid_argument(file_name + " is not a WAV file");
  StoredSample s;
  s.file_name = file_name.ends_with(".wav") ? file_name.substr(0, file_name.size() - 4) : file_name;
  s.original_name = file_name;
  s.category = category;
  s.label = std::move(label);
  s.sha256 = util::sha256_hex(wav);
  s.bytes = std::move(wav);
  s.sample_rate_hz = info->sample_rate_hz;
  s.frames = info->frames;
  std::lock_guard lock(m_impl->state.mutex);
  return m_impl->state.add_sample_locked(std::move(s), util::now_ms());
}

std::vector<RecordedRequest> Standins::requests() const {
  std::lock_guard lock(m_impl->state.mutex);
  return m_impl->state.requests;
}

std::vector<RecordedRequest> Standins::requests(Route route) const {
  std::vector<RecordedRequest> out;
  for (auto& r : requests()) {
    if (r.route == route) out.push_back(std::move(r));
  }
  return out;
}

std::vector<StoredSample> Standins::samples() const {
  std::lock_guard lock(m_impl->state.mutex);
  return m_impl->state.samples;
}

std::vector<JobRecord> Standins::jobs() const {
  std::lock_guard lock(m_impl->state.mutex);
  std::vector<JobRecord> out;
  for (const auto& [id, job] : m_impl->state.jobs) out.push_back(job.record);
  return out;
}

std::vector<DispatchRecord> Standins::dispatches() const {
  std::lock_guard lock(m_impl->state.mutex);
  return m_impl->state.dispatches;
}

}  // namespace driftd::standins
