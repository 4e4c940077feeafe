// pending and uploading: choosing the drifted clips, pinning them, and uploading them to the
// Edge Impulse project batch by batch. Uploads are safe to repeat: every request carries
// x-disallow-duplicates, and a file the project already holds is answered "duplicate",
// which counts as uploaded. So a batch whose outcome was lost (a crash between the call and
// its record, a timeout) is simply sent again.
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "driftd/jobs/retrain_policy.hpp"
#include "driftd/store/clip_files.hpp"
#include "driftd/store/clips.hpp"
#include "driftd/store/retrain_clips.hpp"
#include "driftd/util/duration.hpp"
#include "driftd/util/metric_names.hpp"
#include "retrain_context.hpp"

namespace driftd::jobs::detail {

namespace {

struct Tally {
  std::int64_t stored = 0, duplicate = 0, rejected = 0, missing = 0, not_sent = 0;
  void add(const std::string& outcome) {
    if (outcome == "stored") ++stored;
    if (outcome == "duplicate") ++duplicate;
    if (outcome == "rejected") ++rejected;
    if (outcome == "missing") ++missing;
    if (outcome == "not_sent") ++not_sent;
  }
};

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return bytes;
}

std::string upload_summary(const Tally& t, const std::string& category) {
  std::string text = std::to_string(t.stored + t.duplicate) + " clips uploaded to " + category +
                     " (" + std::to_string(t.stored) + " new, " + std::to_string(t.duplicate) +
                     " already in the project)";
  if (t.rejected > 0) text += ", " + std::to_string(t.rejected) + " refused";
  if (t.missing > 0) text += ", " + std::to_string(t.missing) + " missing locally";
  return text;
}

// The state after uploading: training (the retrain job is next).
Status finish_uploading(Context& ctx, const store::RetrainRun& run, util::UnixMs now,
                        std::vector<store::ClipOutcome> last_outcomes, std::string detail) {
  auto change = change_of(run, now);
  change.clip_outcomes = std::move(last_outcomes);
  enter(change, store::RunState::training, "start", std::move(detail));
  return commit(ctx, change);
}

}  // namespace

Status advance_pending(Context& ctx, const store::RetrainRun& run, util::UnixMs now) {
  const auto& r = ctx.config.retrain;
  store::ClipQuery query;
  query.model_version = run.model_version;
  query.from = run.created - ctx.config.drift.window.count();
  query.to = run.created + 1;
  query.limit = static_cast<std::size_t>(std::max(r.max_upload_clips, 1)) * k_candidates_per_clip;
  auto candidates = store::list_clips(ctx.store, query);
  if (!candidates) return candidates.error();
  const auto plan = plan_upload(*candidates, r);

  std::set<std::string> devices;
  std::int64_t labelled = 0;
  for (const auto& c : plan) {
    devices.insert(c.device_id);
    if (c.label) ++labelled;
  }
  const int batches = plan.empty() ? 0 : plan.back().batch + 1;
  auto change = change_of(run, now);
  std::string detail;
  if (plan.empty()) {
    detail = "no stored clip of model version " + run.model_version + " in the " +
             util::format_duration(ctx.config.drift.window) +
             " before the trigger: nothing to upload, the project is retrained on its data";
  } else {
    detail = "chose " + std::to_string(plan.size()) + " of " + std::to_string(candidates->size()) +
             " clips from the last " + util::format_duration(ctx.config.drift.window) + " (" +
             std::to_string(devices.size()) + " devices, " + std::to_string(labelled) +
             " labelled, " + std::to_string(plan.size() - static_cast<std::size_t>(labelled)) +
             " unlabelled) in " + std::to_string(batches) + " upload requests";
  }
  enter(change, store::RunState::uploading, "", std::move(detail));
  auto recorded = store::record_run_clips(ctx.store, plan, change);
  if (!recorded) return recorded.error();
  ctx.options.metrics.retrain_runs.labels({"uploading"}).inc();
  return Ok{};
}

Status advance_uploading(Context& ctx, const store::RetrainRun& run, util::UnixMs now) {
  const std::string& category = ctx.config.retrain.category;
  auto clips = store::run_clips(ctx.store, run.id);
  if (!clips) return clips.error();

  // The first batch with a clip still waiting for its outcome.
  std::optional<int> batch;
  for (const auto& c : *clips) {
    if (!c.outcome) {
      batch = c.batch;
      break;
    }
  }

  if (run.dry_run) {
    std::vector<store::ClipOutcome> outcomes;
    std::set<int> batches;
    for (const auto& c : *clips) {
      if (c.outcome) continue;
      outcomes.push_back({c.clip_id, "not_sent", "dry run"});
      batches.insert(c.batch);
    }
    for (std::size_t i = 0; i < batches.size(); ++i)
      ctx.count_not_sent(util::k_service_ei_ingestion);
    std::string detail = "upload of " + std::to_string(outcomes.size()) + " clips in " +
                         std::to_string(batches.size()) + " requests to " + category +
                         ": not sent (dry run)";
    return finish_uploading(ctx, run, now, std::move(outcomes), std::move(detail));
  }

  if (!batch) {
    Tally tally;
    for (const auto& c : *clips) tally.add(c.outcome.value_or(""));
    return finish_uploading(ctx, run, now, {}, upload_summary(tally, category));
  }

  auto change = change_of(run, now);
  if (!ctx.ingestion) {
    finish(change, store::RunState::failed,
           "no Edge Impulse API key: set the environment variable or credential " +
               ctx.config.edge_impulse.api_key_env,
           "cannot upload without an Edge Impulse API key (" + ctx.config.edge_impulse.api_key_env +
               ")");
    return commit(ctx, change);
  }

  // The batch's files; a file gone from disk is recorded as missing.
  const store::ClipFiles files(ctx.config.storage.clips_dir);
  std::vector<clients::UploadFile> upload;
  std::vector<std::string> ids;
  std::vector<store::ClipOutcome> missing;
  std::optional<std::string> label;
  std::string device;
  for (const auto& c : *clips) {
    if (c.batch != *batch || c.outcome) continue;
    label = c.label;
    device = c.device_id;
    auto bytes = read_file(files.absolute(c.file));
    if (!bytes) {
      missing.push_back({c.clip_id, "missing", "the clip's file could not be read"});
      continue;
    }
    upload.push_back({c.clip_id + ".wav", std::move(*bytes)});
    ids.push_back(c.clip_id);
  }
  if (upload.empty()) {
    change.clip_outcomes = std::move(missing);
    change.step("uploading", "batch " + std::to_string(*batch) + ": no clip file left to send");
    return commit(ctx, change);
  }

  clients::UploadOptions options;
  options.category = category;
  options.label = label;
  options.disallow_duplicates = true;
  options.metadata = {
      {"device_id", device}, {"model_version", run.model_version}, {"driftd_run", run.id}};

  const std::string ledger_kind = std::string(k_call_upload) + ":" + std::to_string(*batch);
  auto intent = change_of(run, now);
  auto call_id = commit_intent(ctx, k_call_upload, ledger_kind, intent);
  if (!call_id) return call_id.error();
  auto answer = ctx.ingestion->upload(upload, options);

  change.clip_outcomes = std::move(missing);
  const std::string what = "upload of batch " + std::to_string(*batch) + " (" +
                           std::to_string(upload.size()) + " clips of device " + device + ")";
  if (!answer) {
    after_failure(ctx, run, change, answer.error(), what);
    return commit_outcome(ctx, k_call_upload, *call_id, failed_outcome(answer.error()), change);
  }
  Tally tally;
  for (std::size_t i = 0; i < answer->size(); ++i) {
    const auto& f = answer.value()[i];
    const std::string outcome = f.status == clients::UploadFileStatus::stored      ? "stored"
                                : f.status == clients::UploadFileStatus::duplicate ? "duplicate"
                                                                                   : "rejected";
    tally.add(outcome);
    std::string detail = f.sample_id ? "sample " + std::to_string(*f.sample_id) : f.error;
    change.clip_outcomes.push_back({ids[i], outcome, std::move(detail)});
  }
  change.add_clips_uploaded = tally.stored + tally.duplicate;
  change.next_attempt_at = now;
  clear_retries(change);
  const std::string summary = std::to_string(tally.stored) + " stored, " +
                              std::to_string(tally.duplicate) + " duplicates, " +
                              std::to_string(tally.rejected) + " refused";
  change.step("uploading", "batch " + std::to_string(*batch) + " (device " + device + ", " +
                               (label ? "label " + *label : std::string("unlabelled")) +
                               "): " + summary);
  store::CallOutcome outcome;
  outcome.result = summary;
  return commit_outcome(ctx, k_call_upload, *call_id, outcome, change);
}

}  // namespace driftd::jobs::detail
