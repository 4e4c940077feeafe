// One model version's evaluation: binning state and re-binning, the window's buckets, the
// reference and prediction reference, the fleet and device evaluations, the episode, and
// what is stored.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "drift_evaluator_impl.hpp"
#include "driftd/drift/live_window.hpp"
#include "driftd/jobs/drift_episodes.hpp"
#include "driftd/store/drift_binning.hpp"
#include "driftd/store/drift_buckets.hpp"
#include "driftd/store/drift_evaluations.hpp"
#include "driftd/store/drift_rebin.hpp"
#include "driftd/store/errors.hpp"

namespace driftd::jobs {

namespace {

using nlohmann::json;

// The first drift.window of the version's results, frozen once it has passed.
Result<std::optional<store::PredictionReference>> prediction_reference(
    store::Store& store, const std::string& model_version, util::UnixMs now,
    std::chrono::milliseconds window) {
  auto stored = store::load_prediction_reference(store, model_version);
  if (!stored || *stored) return stored;
  auto first = store::first_results_bucket(store, model_version);
  if (!first) return first.error();
  if (!*first || **first + window.count() > now) return std::optional<store::PredictionReference>{};
  store::BucketQuery query{model_version, **first, **first + window.count() - 1, -1, std::nullopt};
  auto buckets = store::read_buckets(store, query);
  if (!buckets) return buckets.error();
  drift::LabelClusters labels;
  stats::Moments confidence;
  for (const auto& device : buckets->devices) {
    labels.merge(device.labels);
    confidence += device.confidence;
  }
  store::PredictionReference reference{**first, **first + window.count(), labels.labels(),
                                       confidence, labels.results_per_unit()};
  auto saved = store::save_prediction_reference(store, model_version, reference);
  if (!saved) return saved.error();
  spdlog::info("drift: prediction reference of model version {} frozen: {} results", model_version,
               confidence.count);
  return std::optional<store::PredictionReference>(std::move(saved).value());
}

std::vector<drift::DeviceSample> device_samples(const store::WindowBuckets& buckets,
                                                Status& status) {
  std::vector<drift::DeviceSample> samples;
  samples.reserve(buckets.devices.size());
  for (const auto& d : buckets.devices) {
    auto counts = d.counts.to_sample();
    if (!counts) {
      status = counts.error();
      return {};
    }
    samples.push_back(drift::DeviceSample{d.device_id, std::move(counts).value(), d.windows,
                                          d.labels, d.confidence});
  }
  return samples;
}

store::EvaluationRecord record_of(const drift::Evaluation& e, std::int64_t reference_id,
                                  const json& body) {
  return store::EvaluationRecord{0,
                                 e.model_version,
                                 e.device_id,
                                 e.evaluated_at,
                                 e.window_from,
                                 e.window_to,
                                 std::string(drift::to_string(e.status)),
                                 reference_id,
                                 body.dump()};
}

void set_gauges(const util::DriftdMetrics& metrics, const drift::Evaluation& fleet) {
  for (const auto& f : fleet.features) {
    metrics.drift_psi.labels({fleet.model_version, f.name})
        .set(f.score.scores ? f.score.scores->psi : std::numeric_limits<double>::quiet_NaN());
  }
  metrics.drift_status.labels({fleet.model_version})
      .set(util::drift_status_value(drift::to_string(fleet.status)));
}

drift::DriftStatus latest_status(const drift::FleetEvaluation& fe, const std::string& device_id) {
  for (const auto& device : fe.devices) {
    if (device.device_id == device_id) return device.status;
  }
  return drift::DriftStatus::insufficient_data;
}

}  // namespace

Result<std::shared_ptr<const store::StoredReference>> DriftEvaluator::Impl::reference(
    std::int64_t id) {
  if (id <= 0) return std::shared_ptr<const store::StoredReference>{};
  if (auto it = references.find(id); it != references.end()) return it->second;
  auto loaded = store::load_reference(store, id);
  if (!loaded) return loaded.error();
  std::shared_ptr<const store::StoredReference> ref;
  if (*loaded) ref = std::make_shared<const store::StoredReference>(std::move(**loaded));
  references[id] = ref;
  return ref;
}

ReportExtras DriftEvaluator::Impl::extras(const VersionContext& context) const {
  ReportExtras out;
  out.thresholds = thresholds;
  out.reference = context.reference;
  out.prediction_reference = context.prediction_period;
  return out;
}

json DriftEvaluator::Impl::device_body(const DeviceLatest& latest) const {
  ReportExtras e = extras(*latest.context);
  e.scope = latest.scope;
  return drift_report(latest.evaluation, e);
}

Result<VersionEvaluation> DriftEvaluator::Impl::evaluate_locked(const std::string& model_version,
                                                                util::UnixMs now,
                                                                const VersionOptions& options) {
  const auto range = drift::evaluation_range(now, config.drift.window, bucket_ms);
  auto found = store::find_binning_state(store, model_version);
  if (!found) return found.error();
  auto active = store::active_references(store);
  if (!active) return active.error();
  std::optional<store::BinningState> binning = *found;
  std::int64_t reference_id = 0;
  store::WindowBuckets buckets;
  if (!binning) {
    const auto applicable = store::applicable_reference(*active, model_version, width);
    if (!applicable || applicable->model_version != model_version) {
      return make_error(store::k_error_not_found,
                        "model version " + model_version + " has neither data nor a reference");
    }
    reference_id = applicable->id;
  } else {
    const std::size_t w = binning->width > 0 ? binning->width : width;
    auto applicable = store::applicable_reference(*active, model_version, w);
    // A version without a reference of its own that falls back to a retrain's successor
    // reference (the retrained model, reported under a version driftd has not seen)
    // adopts it as its own, so a reference saved later for another version does not
    // replace it.
    if (applicable && applicable->model_version != model_version) {
      auto fallback = reference(applicable->id);
      if (!fallback) return fallback.error();
      if (*fallback && store::is_successor_source((*fallback)->info.source)) {
        auto adopted = store::adopt_reference(store, model_version, applicable->id);
        if (!adopted) return adopted.error();
        if (*adopted) {
          spdlog::info("drift: model version {} adopts the successor reference {} ({}) as its own",
                       model_version, applicable->id, (*fallback)->info.source);
        }
        active = store::active_references(store);
        if (!active) return active.error();
        applicable = store::applicable_reference(*active, model_version, w);
      }
    }
    if ((applicable ? applicable->id : 0) != binning->reference_id || binning->width != w) {
      auto ensured = store::ensure_binning(store, model_version, w);
      if (!ensured) return ensured.error();
      binning = std::move(ensured).value();
    }
    if (binning->rebin_pending) {
      const std::size_t batches = options.complete_rebin ? std::numeric_limits<std::size_t>::max()
                                                         : k_rebin_batches_per_pass;
      auto progress = store::rebin_model_version(store, model_version, range.first_start, batches);
      if (!progress) return progress.error();
      spdlog::info("drift: re-binned {} windows of model version {} ({})", progress->windows,
                   model_version, progress->done ? "done" : "continues");
      auto again = store::find_binning_state(store, model_version);
      if (!again) return again.error();
      binning = *again;
      if (!binning || binning->rebin_pending) {
        return make_error(k_error_rebinning, "model version " + model_version +
                                                 " is being re-binned against its new reference");
      }
    }
    reference_id = binning->reference_id;
    auto read = store::read_buckets(
        store, {model_version, range.first_start, range.last_start, binning->epoch, std::nullopt});
    if (!read) return read.error();
    buckets = std::move(read).value();
  }

  auto stored_reference = reference(reference_id);
  if (!stored_reference) return stored_reference.error();
  auto predictions = prediction_reference(store, model_version, now, config.drift.window);
  if (!predictions) return predictions.error();

  auto context = std::make_shared<VersionContext>();
  drift::Reference scored;
  const drift::Reference* scored_against = nullptr;
  if (*stored_reference) {
    const auto& info = (*stored_reference)->info;
    context->reference =
        ReferenceSummary{info.id,      info.model_version, info.source,
                         info.created, info.windows,       info.model_version != model_version};
    scored = (*stored_reference)->reference;
    scored.predictions = drift::PredictionSample{};
    if (*predictions) {
      scored.predictions = drift::PredictionSample{
          (*predictions)->labels, (*predictions)->confidence, (*predictions)->results_per_unit};
    }
    scored_against = &scored;
  }
  if (*predictions) context->prediction_period = {(*predictions)->from, (*predictions)->to};

  Status samples_ok = Ok{};
  auto samples = device_samples(buckets, samples_ok);
  if (!samples_ok) return samples_ok.error();
  const std::size_t with_data = samples.size();
  if (options.include_device && std::none_of(samples.begin(), samples.end(), [&](const auto& s) {
        return s.device_id == *options.include_device;
      })) {
    samples.push_back(drift::DeviceSample{*options.include_device, {}, 0, {}, {}});
  }
  const drift::EvaluationContext evaluation_context{model_version, std::nullopt, now, range.from,
                                                    range.to};
  auto evaluated = drift::evaluate_fleet(scored_against, samples, thresholds, evaluation_context);
  if (!evaluated) return evaluated.error();

  VersionEvaluation out;
  out.evaluation = std::move(evaluated).value();
  out.bucket_rows_read = buckets.rows_read;
  const auto& fe = out.evaluation;

  auto episode = store::load_episode(store, model_version);
  if (!episode) return episode.error();
  std::vector<store::EpisodeRecord> episodes;
  ReportExtras fleet_extras = extras(*context);
  fleet_extras.scope = fe.attribution.fleet_scope;
  fleet_extras.attribution = &fe.attribution;
  if (options.store && options.count_in_policy) {
    auto outcome = advance_episode(store, config, metrics, *episode, fe.fleet, fe.attribution, now);
    if (!outcome) return outcome.error();
    fleet_extras.retrain = outcome->retrain;
    out.run_created = outcome->run_created;
    episodes.push_back(std::move(outcome->record));
  } else if (*episode) {
    fleet_extras.retrain = retrain_member(**episode);
  }
  out.fleet_body = drift_report(fe.fleet, fleet_extras);
  for (const auto& device : fe.devices) {
    if (options.include_device && device.device_id == options.include_device) {
      out.device_body = device_body(
          DeviceLatest{device, drift::device_scope(fe.attribution, *device.device_id), context});
    }
  }
  if (!options.store) return out;

  std::vector<store::EvaluationRecord> records;
  records.push_back(record_of(fe.fleet, reference_id, out.fleet_body));
  std::vector<DeviceKey> kept;
  for (std::size_t i = 0; i < with_data; ++i) {
    const auto& device = fe.devices[i];
    const DeviceKey key{model_version, *device.device_id};
    const auto previous = device_stored.find(key);
    if (previous == device_stored.end() || previous->second.first != device.status ||
        now - previous->second.second >= k_device_history_every.count()) {
      DeviceLatest latest{device, drift::device_scope(fe.attribution, *device.device_id), context};
      records.push_back(record_of(device, reference_id, device_body(latest)));
      kept.push_back(key);
    }
  }
  if (Status saved = store::save_evaluations(store, records, episodes); !saved) {
    return saved.error();
  }
  for (const auto& key : kept) device_stored[key] = {latest_status(fe, key.second), now};
  for (std::size_t i = 0; i < with_data; ++i) {
    const auto& device = fe.devices[i];
    latest_devices[{model_version, *device.device_id}] =
        DeviceLatest{device, drift::device_scope(fe.attribution, *device.device_id), context};
  }
  out.stored = static_cast<std::int64_t>(records.size());
  set_gauges(metrics, fe.fleet);
  return out;
}

}  // namespace driftd::jobs
