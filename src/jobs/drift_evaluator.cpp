// The evaluator's passes and answers; one model version's evaluation is drift_version.cpp.

#include "driftd/jobs/drift_evaluator.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "drift_evaluator_impl.hpp"
#include "driftd/drift/live_window.hpp"
#include "driftd/jobs/drift_episodes.hpp"
#include "driftd/store/devices.hpp"
#include "driftd/store/drift_binning.hpp"
#include "driftd/store/drift_buckets.hpp"
#include "driftd/store/drift_evaluations.hpp"
#include "driftd/store/errors.hpp"
#include "driftd/store/results.hpp"
#include "driftd/store/windows.hpp"

namespace driftd::jobs {

namespace {

using nlohmann::json;

Result<json> parse_body(const store::EvaluationRecord& record) {
  json body = json::parse(record.body, nullptr, false);
  if (body.is_discarded()) {
    return make_error(store::k_error_internal,
                      "stored drift evaluation " + std::to_string(record.id) + " is not JSON");
  }
  return body;
}

}  // namespace

DriftEvaluator::Impl::Impl(store::Store& s, const config::Config& c, util::DriftdMetrics m)
    : store(s),
      config(c),
      metrics(std::move(m)),
      thresholds(drift::thresholds_from(c.drift)),
      bucket_ms(drift::bucket_length_ms(c.drift.window)),
      width(static_cast<std::size_t>(c.features.mfcc.num_cepstral) + 1) {}

DriftEvaluator::DriftEvaluator(store::Store& store, const config::Config& config,
                               util::DriftdMetrics metrics)
    : m_impl(std::make_unique<Impl>(store, config, std::move(metrics))) {}

DriftEvaluator::~DriftEvaluator() = default;

Status DriftEvaluator::prepare() {
  store::EngineSettings settings;
  settings.bucket_ms = m_impl->bucket_ms;
  settings.geometry = drift::geometry_from(m_impl->config.features);
  return store::save_engine_settings(m_impl->store, settings);
}

void DriftEvaluator::Impl::apply_retention(util::UnixMs now) {
  if (last_retention && now - *last_retention < k_retention_every.count()) return;
  last_retention = now;
  // Results and evaluations are kept for storage.results_retention; the windows and the
  // buckets binned from them for at least the drift window, so a pass always has its data.
  const util::UnixMs keep = config.storage.results_retention.count();
  const util::UnixMs window_keep = std::max(keep, config.drift.window.count()) + bucket_ms;
  struct Deletion {
    const char* what;
    Result<std::int64_t> rows;
  };
  const Deletion deletions[] = {
      {"results", store::delete_results_before(store, now - keep)},
      {"evaluations", store::delete_evaluations_before(store, now - keep)},
      {"windows", store::delete_windows_before(store, now - window_keep)},
      {"buckets", store::delete_buckets_before(store, now - window_keep)},
  };
  std::string deleted;
  for (const auto& d : deletions) {
    if (!d.rows) {
      spdlog::warn("drift: deleting {} past retention failed: {}", d.what, d.rows.error().message);
    } else if (*d.rows > 0) {
      deleted += (deleted.empty() ? "" : ", ") + std::to_string(*d.rows) + " " + d.what;
    }
  }
  if (!deleted.empty()) spdlog::info("drift: deleted {} past retention", deleted);
}

void DriftEvaluator::Impl::supersede_older(util::UnixMs now) {
  auto newest = store::latest_model_version(store);
  auto episodes = store::list_episodes(store);
  auto states = store::list_binning_states(store);
  if (!newest || !episodes || !states) {
    spdlog::warn("drift: cannot check for newer model versions now");
    return;
  }
  if (!*newest) return;
  std::map<std::string, util::UnixMs> first_seen;
  for (const auto& s : *states) first_seen[s.model_version] = s.first_seen;
  const auto newer_seen = first_seen.find(**newest);
  if (newer_seen == first_seen.end()) return;
  std::vector<store::EpisodeRecord> changed;
  for (const auto& record : *episodes) {
    if (record.model_version == **newest) continue;
    const auto seen = first_seen.find(record.model_version);
    if (seen == first_seen.end() || newer_seen->second <= seen->second) continue;
    auto next = supersede_episode(record, **newest, now);
    if (!next) {
      spdlog::warn("drift: {}", next.error().message);
    } else if (*next) {
      changed.push_back(std::move(**next));
    }
  }
  if (Status saved = store::save_evaluations(store, {}, changed); !saved) {
    spdlog::warn("drift: cannot save superseded episodes: {}", saved.error().message);
  }
}

Result<std::map<std::string, VersionEvaluation>> DriftEvaluator::Impl::pass_locked(
    util::UnixMs now, DriftPassReport& report) {
  const auto started = std::chrono::steady_clock::now();
  apply_retention(now);
  supersede_older(now);
  auto states = store::list_binning_states(store);
  if (!states) return states.error();
  const auto range = drift::evaluation_range(now, config.drift.window, bucket_ms);
  std::map<std::string, VersionEvaluation> evaluated;
  for (const auto& state : *states) {
    auto has = store::has_buckets(store, state.model_version, range.first_start, range.last_start);
    if (!has) return has.error();
    if (!*has) continue;
    auto one = evaluate_locked(state.model_version, now, VersionOptions{});
    if (!one) {
      if (one.error().code == k_error_rebinning) {
        report.deferred.push_back(state.model_version);
      } else {
        spdlog::warn("drift: evaluating model version {} failed: {}", state.model_version,
                     one.error().message);
      }
      continue;
    }
    report.evaluated.push_back(state.model_version);
    report.evaluations_stored += one->stored;
    report.bucket_rows_read += one->bucket_rows_read;
    if (one->run_created) report.runs_created.push_back(*one->run_created);
    evaluated.emplace(state.model_version, std::move(one).value());
  }
  metrics.drift_evaluation_duration.observe_duration(std::chrono::steady_clock::now() - started);
  return evaluated;
}

Result<DriftPassReport> DriftEvaluator::run_once(util::UnixMs now) {
  std::lock_guard lock(m_impl->mutex);
  DriftPassReport report;
  auto pass = m_impl->pass_locked(now, report);
  if (!pass) return pass.error();
  return report;
}

Result<VersionEvaluation> DriftEvaluator::evaluate_version(const std::string& model_version,
                                                           util::UnixMs now,
                                                           const VersionOptions& options) {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->evaluate_locked(model_version, now, options);
}

Result<std::string> DriftEvaluator::default_model_version() {
  auto latest = store::latest_model_version(m_impl->store);
  if (!latest) return latest.error();
  if (!*latest) {
    return make_error(store::k_error_not_found,
                      "no device has reported a model version yet, and none was asked for");
  }
  return **latest;
}

namespace {

Result<std::string> version_or_default(DriftEvaluator& evaluator,
                                       const std::optional<std::string>& model_version) {
  if (model_version) return *model_version;
  return evaluator.default_model_version();
}

}  // namespace

std::optional<json> DriftEvaluator::Impl::cached_device(const std::string& model_version,
                                                        const std::string& device_id) const {
  auto it = latest_devices.find({model_version, device_id});
  if (it == latest_devices.end()) return std::nullopt;
  return device_body(it->second);
}

Result<json> DriftEvaluator::answer(const std::optional<std::string>& model_version,
                                    const std::optional<std::string>& device_id, util::UnixMs now) {
  auto version = version_or_default(*this, model_version);
  if (!version) return version.error();
  std::lock_guard lock(m_impl->mutex);
  if (device_id) {
    if (auto cached = m_impl->cached_device(*version, *device_id)) return *cached;
  }
  auto stored = store::latest_evaluation(m_impl->store, *version, device_id);
  if (!stored) return stored.error();
  if (*stored) return parse_body(**stored);
  VersionOptions on_the_spot;
  on_the_spot.count_in_policy = false;
  on_the_spot.complete_rebin = true;
  on_the_spot.include_device = device_id;
  auto evaluated = m_impl->evaluate_locked(*version, now, on_the_spot);
  if (!evaluated) return evaluated.error();
  if (device_id) return evaluated->device_body.value_or(json(nullptr));
  return evaluated->fleet_body;
}

Result<json> DriftEvaluator::evaluate_now(const std::optional<std::string>& model_version,
                                          const std::optional<std::string>& device_id,
                                          util::UnixMs now) {
  auto version = version_or_default(*this, model_version);
  if (!version) return version.error();
  std::lock_guard lock(m_impl->mutex);
  DriftPassReport report;
  auto pass = m_impl->pass_locked(now, report);
  if (!pass) return pass.error();
  auto it = pass->find(*version);
  if (it == pass->end() || (device_id && !m_impl->cached_device(*version, *device_id))) {
    VersionOptions complete;
    complete.complete_rebin = true;
    complete.include_device = device_id;
    // Already counted in this pass: evaluated again only to answer for the device.
    complete.count_in_policy = it == pass->end();
    complete.store = it == pass->end();
    auto one = m_impl->evaluate_locked(*version, now, complete);
    if (!one) return one.error();
    if (device_id) return one->device_body.value_or(json(nullptr));
    return one->fleet_body;
  }
  if (device_id) return *m_impl->cached_device(*version, *device_id);
  return it->second.fleet_body;
}

}  // namespace driftd::jobs
