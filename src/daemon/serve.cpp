#include "driftd/daemon/serve.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <filesystem>
#include <future>
#include <thread>

#include "driftd/api/http_server.hpp"
#include "driftd/api/routes.hpp"
#include "driftd/api/service.hpp"
#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/daemon/signals.hpp"
#include "driftd/jobs/drift_evaluator.hpp"
#include "driftd/jobs/drift_worker.hpp"
#include "driftd/jobs/retrain_runner.hpp"
#include "driftd/jobs/retrain_worker.hpp"
#include "driftd/store/clip_archive.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/store_config.hpp"
#include "driftd/store/tokens.hpp"
#include "driftd/util/metric_names.hpp"
#include "driftd/util/metrics.hpp"
#include "driftd/util/secrets.hpp"
#include "driftd/util/time.hpp"

namespace driftd::daemon {

namespace {

// The main loop wakes at least this often (watchdog pings, shutdown checks).
constexpr std::chrono::milliseconds k_main_tick{1000};

std::unique_ptr<store::Store> open_store(const config::Config& config) {
  auto opened =
      store::Store::open(store::store_options_from_config(config.storage), util::now_ms());
  if (!opened) {
    spdlog::error("cannot open the database {}: {}", config.storage.database,
                  opened.error().message);
    return nullptr;
  }
  auto store = std::move(opened).value();
  const auto& report = store->migration_report();
  if (report.applied.empty()) {
    spdlog::info("database {} at schema version {}", config.storage.database,
                 report.current_version);
  } else {
    spdlog::info("database {} migrated from schema version {} to {}", config.storage.database,
                 report.previous_version, report.current_version);
  }
  return store;
}

// The clip folder, checked and tidied (leftover temp files, orphans) before serving.
std::unique_ptr<store::ClipArchive> open_clip_archive(const config::Config& config,
                                                      store::Store& store) {
  auto opened = store::ClipArchive::open(
      store, store::clip_archive_options_from_config(config.storage), util::now_ms());
  if (!opened) {
    spdlog::error("cannot use the clip folder {}: {}", config.storage.clips_dir,
                  opened.error().message);
    return nullptr;
  }
  auto archive = std::move(opened).value();
  const auto& report = archive->start_report();
  if (report.temp_files_removed + report.orphan_files_removed > 0) {
    spdlog::info("clip folder {}: removed {} unfinished and {} unreferenced files",
                 config.storage.clips_dir, report.temp_files_removed, report.orphan_files_removed);
  }
  if (report.rows_missing_file > 0) {
    spdlog::warn("clip folder {}: {} stored clips had lost their file and are now marked evicted",
                 config.storage.clips_dir, report.rows_missing_file);
  }
  spdlog::info("clip folder {}: {} bytes stored (quota {})", config.storage.clips_dir,
               archive->stored_bytes(), archive->max_bytes());
  return archive;
}

// An admin token must exist for anyone to use the API: at first start, make one and show
// it once, unless the environment provides one.
bool ensure_admin_token(store::Store& store, bool env_admin) {
  if (env_admin) return true;
  auto has = store::has_admin_token(store);
  if (!has) {
    spdlog::error("cannot read tokens: {}", has.error().message);
    return false;
  }
  if (*has) return true;
  auto created = store::create_token(store, store::Role::admin, "", util::now_ms());
  if (!created) {
    spdlog::error("cannot create the first admin token: {}", created.error().message);
    return false;
  }
  spdlog::warn(
      "no admin token existed: created admin token id {} (shown only this once, store it "
      "now): {}",
      created->id, created->token);
  return true;
}

api::Authenticator make_authenticator(store::Store& store,
                                      const std::optional<std::string>& env_admin) {
  auto auth = std::make_shared<store::TokenAuthenticator>(store, env_admin);
  return [auth](const std::string& token, bool may_use_cache) -> std::optional<api::Principal> {
    auto found = may_use_cache ? auth->authenticate_cached(token, util::now_ms())
                               : auth->authenticate(token, util::now_ms());
    if (!found) {
      throw api::ApiError(503, "storage_unavailable",
                          "tokens cannot be checked now: " + found.error().message);
    }
    if (!found->has_value()) return std::nullopt;
    const auto& p = **found;
    api::Role role = p.role == store::Role::admin    ? api::Role::admin
                     : p.role == store::Role::device ? api::Role::device
                                                     : api::Role::viewer;
    return api::Principal{p.token_id, role, p.device_id, p.cached};
  };
}

api::ServerOptions server_options(const config::Config& config) {
  api::ServerOptions o;
  auto hp = api::split_listen_address(config.server.listen);
  if (hp) {
    o.host = hp->first;
    o.port = hp->second;
  }
  o.threads = config.server.threads;
  o.max_body_bytes = config.server.max_body_bytes;
  o.rate_limit_per_device = config.server.rate_limit_per_device;
  o.tls_cert = config.server.tls_cert;
  o.tls_key = config.server.tls_key;
  return o;
}

}  // namespace

int serve(const config::Config& config) {
  block_stop_signals();
  name_this_thread("driftd-main");

  auto analyzer = audio::ClipAnalyzer::create(config.features);
  if (!analyzer) {
    spdlog::error("the features settings cannot be used ({}): {}", analyzer.error().field,
                  analyzer.error().message);
    return 2;
  }

  auto store = open_store(config);
  if (!store) return 1;
  auto clips = open_clip_archive(config, *store);
  if (!clips) return 1;

  const auto env_admin = util::read_secret(config.auth.admin_token_env);
  if (!ensure_admin_token(*store, env_admin.has_value())) return 1;

  util::Registry registry;
  api::Service service{config, *store, registry, util::register_driftd_metrics(registry)};
  service.analyzer = &*analyzer;
  service.clips = clips.get();
  const std::filesystem::path db_path = config.storage.database;
  registry.add_collector([&service, db_path] {
    std::error_code ec;
    auto size = std::filesystem::file_size(db_path, ec);
    if (!ec) service.metrics.database_size_bytes.set(static_cast<double>(size));
  });
  // The writer's running totals, mirrored: each counter advances to the writer's total.
  registry.add_collector([&service] {
    const store::WriterStats stats = service.store.writer().stats();
    auto mirror = [](util::Counter counter, double total) { counter.inc(total - counter.value()); };
    mirror(service.metrics.store_write_jobs.labels({"committed"}),
           static_cast<double>(stats.jobs_committed));
    mirror(service.metrics.store_write_jobs.labels({"rejected"}),
           static_cast<double>(stats.jobs_rejected));
    mirror(service.metrics.store_write_jobs.labels({"failed"}),
           static_cast<double>(stats.jobs_failed));
    mirror(service.metrics.store_write_batches, static_cast<double>(stats.batches_committed));
    mirror(service.metrics.store_commit_seconds, stats.commit_seconds_total);
    service.metrics.store_write_queue_depth.set(static_cast<double>(stats.queue_depth));
  });
  registry.add_collector([&service, archive = clips.get()] {
    service.metrics.clips_stored_bytes.set(static_cast<double>(archive->stored_bytes()));
  });

  // The drift evaluator: its settings (bucket length) are stored before any data arrives;
  // its thread starts once the server is bound.
  jobs::DriftEvaluator drift(*store, config, service.metrics);
  if (auto prepared = drift.prepare(); !prepared) {
    spdlog::error("cannot prepare the drift engine: {}", prepared.error().message);
    return 1;
  }
  service.drift = &drift;

  api::HttpServer server(server_options(config), make_authenticator(*store, env_admin),
                         api::metrics_observer(service));
  api::add_all_routes(server, service);
  if (auto bound = server.bind(); !bound) {
    spdlog::error("{}", bound.error().message);
    return 1;
  }
  const auto hp = api::split_listen_address(config.server.listen);
  spdlog::info("driftd {} listening on {}:{}{}", DRIFTD_VERSION, hp ? hp->first : "?",
               server.port(), config.server.tls_cert.empty() ? "" : " (HTTPS)");

  // The retrain runner's thread, once the server is bound; stopped before the store closes.
  jobs::RetrainRunner retrain_runner(*store, config, jobs::runner_options(config, service.metrics));
  jobs::RetrainWorker retrain_worker(retrain_runner);
  retrain_worker.start();
  jobs::DriftWorker drift_worker(drift, config.drift.evaluate_every);
  drift_worker.start();

  std::promise<void> server_done;
  auto server_finished = server_done.get_future();
  std::thread http_thread([&server, &server_done] {
    name_this_thread("driftd-http");
    server.run();
    server_done.set_value();
  });

  sd_notify(0, "READY=1\nSTATUS=serving");
  std::uint64_t watchdog_usec = 0;
  const bool watchdog = sd_watchdog_enabled(0, &watchdog_usec) > 0;
  const auto tick = watchdog ? std::min<std::chrono::milliseconds>(
                                   k_main_tick, std::chrono::milliseconds(watchdog_usec / 2000))
                             : k_main_tick;

  int signal_number = 0;
  while (true) {
    if (auto sig = wait_for_stop_signal(tick)) {
      signal_number = *sig;
      break;
    }
    if (watchdog) sd_notify(0, "WATCHDOG=1");
  }

  spdlog::info("received signal {}: stopping (drain deadline {} s)", signal_number,
               k_drain_deadline_seconds);
  sd_notify(0, "STOPPING=1\nSTATUS=draining");
  server.stop();
  const bool drained = server_finished.wait_for(std::chrono::seconds(k_drain_deadline_seconds)) ==
                       std::future_status::ready;
  drift_worker.stop();  // finishes its pass in progress (bounded, no outside calls)
  if (!retrain_worker.stop_within(std::chrono::seconds(k_drain_deadline_seconds))) {
    spdlog::warn(
        "the retrain worker is still in an outside call after {} s: exiting without it "
        "(its run resumes from the database at the next start)",
        k_drain_deadline_seconds);
    store->close();
    spdlog::shutdown();
    std::_Exit(0);
  }
  if (!drained) {
    spdlog::warn("requests still in flight after {} s: exiting without them",
                 k_drain_deadline_seconds);
    store->close();
    spdlog::shutdown();
    std::_Exit(0);
  }
  http_thread.join();
  store->close();
  spdlog::info("stopped");
  return 0;
}

}  // namespace driftd::daemon
