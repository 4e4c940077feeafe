// The ceiling driftd's ingest is measured against (docs/benchmarks.md, "Ingest"): a
// cpp-httplib server with the same library build, thread count and connection settings
// as driftd's HTTP server, that answers the ingest routes and does nothing else. It parses
// a results body as JSON and answers 202 with the count; it reads a clip body and answers
// 201. No authentication, validation, database or audio work: what is left is the cost of
// HTTP and JSON parsing, which driftd cannot go below.
//
//   bare_server [--port N] [--threads N]
//
// Listens on 127.0.0.1 (port 0, the default, picks a free one). Prints
// "listening on 127.0.0.1:PORT" once it accepts connections; runs until killed.

#include <httplib.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace {

// The same values as src/api/http_server.cpp, so both servers treat connections alike.
constexpr int k_default_threads = 8;  // server.threads default
constexpr int k_keep_alive_seconds = 30;
constexpr std::size_t k_keep_alive_max_requests = 100'000;
constexpr std::size_t k_max_body_bytes = 10'485'760;  // server.max_body_bytes default

struct Options {
  int port = 0;
  int threads = k_default_threads;
};

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return false;
    if (arg == "--port") {
      options.port = std::atoi(argv[++i]);
    } else if (arg == "--threads") {
      options.threads = std::atoi(argv[++i]);
    } else {
      return false;
    }
  }
  return options.port >= 0 && options.threads >= 1;
}

void answer_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// A result object or {"results": [...]}: parsed, counted, acknowledged.
void post_results(const httplib::Request& req, httplib::Response& res) {
  const auto body = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    answer_json(res, 400, {{"error", {{"code", "malformed_json"}, {"message", "not JSON"}}}});
    return;
  }
  const auto batch = body.find("results");
  const std::size_t count = (batch != body.end() && batch->is_array()) ? batch->size() : 1;
  answer_json(res, 202, {{"accepted", count}, {"duplicates", 0}});
}

// The clip body has been read by the library; nothing is decoded or stored.
void post_clip(const httplib::Request& req, httplib::Response& res) {
  if (req.body.empty()) {
    answer_json(res, 400, {{"error", {{"code", "empty_body"}, {"message", "no audio"}}}});
    return;
  }
  answer_json(res, 201, {{"clip_id", "bare"}, {"windows", 0}});
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::fprintf(stderr, "usage: bare_server [--port N] [--threads N]\n");
    return 2;
  }

  httplib::Server server;
  const int threads = options.threads;
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(static_cast<size_t>(threads));
  };
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(k_keep_alive_max_requests);
  server.set_keep_alive_timeout(k_keep_alive_seconds);
  server.set_payload_max_length(k_max_body_bytes);
  server.Post("/api/v1/results", post_results);
  server.Post("/api/v1/clips", post_clip);
  server.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    answer_json(res, 200, {{"status", "ok"}});
  });

  int port = options.port;
  if (port == 0) {
    port = server.bind_to_any_port("127.0.0.1");
  } else if (!server.bind_to_port("127.0.0.1", port)) {
    port = -1;
  }
  if (port <= 0) {
    std::fprintf(stderr, "bare_server: cannot listen on 127.0.0.1:%d\n", options.port);
    return 1;
  }
  std::printf("listening on 127.0.0.1:%d\n", port);
  std::fflush(stdout);
  return server.listen_after_bind() ? 0 : 1;
}
