// The pure retrain policy. Cost: everything here is linear in its input (clips: the
// candidates are grouped once, then taken round-robin).
#include "driftd/jobs/retrain_policy.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <deque>
#include <tuple>

#include "driftd/util/duration.hpp"

namespace driftd::jobs {

namespace {

std::string format_fraction(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

bool is_wav(const std::string& path) {
  return path.size() >= 4 && path.compare(path.size() - 4, 4, ".wav") == 0;
}

}  // namespace

std::string_view to_string(BlockReason reason) {
  switch (reason) {
    case BlockReason::disabled:
      return "disabled";
    case BlockReason::active_run:
      return "active_run";
    case BlockReason::cooldown:
      return "cooldown";
    case BlockReason::episode_retrained:
      return "episode_retrained";
  }
  return "disabled";
}

std::optional<Blocked> check_trigger(const store::RunFacts& facts, const RetrainRequest& request,
                                     const config::Retrain& retrain, util::UnixMs now) {
  if (!retrain.enabled) {
    return Blocked{BlockReason::disabled, std::nullopt, std::nullopt,
                   "retraining is disabled (retrain.enabled: false)"};
  }
  if (facts.active) {
    return Blocked{BlockReason::active_run, std::nullopt, facts.active->id,
                   "run " + facts.active->id + " for model version " + request.model_version +
                       " is still " + std::string(store::to_string(facts.active->state))};
  }
  for (const store::RunBrief& run : facts.episode) {
    // Only runs of this very episode count (a later episode may retrain again).
    if (run.state == store::RunState::succeeded && request.episode_id &&
        run.episode_id == request.episode_id) {
      return Blocked{BlockReason::episode_retrained, std::nullopt, run.id,
                     "drift episode " + request.episode_id.value_or("") +
                         " already led to the succeeded run " + run.id};
    }
  }
  if (!request.force && facts.latest && retrain.cooldown.count() > 0) {
    const util::UnixMs until = facts.latest->updated + retrain.cooldown.count();
    if (now < until) {
      return Blocked{BlockReason::cooldown, until, facts.latest->id,
                     "the cooldown of " + util::format_duration(retrain.cooldown) + " after run " +
                         facts.latest->id + " lasts until " + util::format_rfc3339(until)};
    }
  }
  return std::nullopt;
}

std::chrono::milliseconds retry_delay(int attempt,
                                      std::optional<std::chrono::milliseconds> requested,
                                      double unit) {
  const int doublings = std::clamp(attempt - 1, 0, 30);
  const double ceiling =
      std::min(static_cast<double>(k_backoff_cap.count()),
               static_cast<double>(k_backoff_base.count()) * std::ldexp(1.0, doublings));
  const double u = std::clamp(unit, 0.0, 1.0);
  const auto jittered = std::chrono::milliseconds(static_cast<std::int64_t>(u * ceiling));
  return std::max(jittered, requested.value_or(std::chrono::milliseconds(0)));
}

std::optional<std::string> upload_label(const store::ClipRecord& clip,
                                        const config::Retrain& retrain) {
  if (retrain.label_policy != "predicted" || !clip.label || clip.label->empty()) {
    return std::nullopt;
  }
  if (clip.confidence && *clip.confidence < retrain.min_label_confidence) return std::nullopt;
  return clip.label;
}

std::vector<store::RunClip> plan_upload(const std::vector<store::ClipRecord>& candidates,
                                        const config::Retrain& retrain,
                                        const std::map<std::string, double>& moved_most) {
  // 1. Groups by (device, predicted label), each ordered by score then recency.
  using GroupKey = std::pair<std::string, std::string>;
  std::map<GroupKey, std::vector<const store::ClipRecord*>> groups;
  for (const auto& clip : candidates) {
    if (!is_wav(clip.path) || clip.evicted_at) continue;
    groups[{clip.device_id, clip.label.value_or("")}].push_back(&clip);
  }
  auto score = [&moved_most](const store::ClipRecord* c) -> std::optional<double> {
    auto it = moved_most.find(c->clip_id);
    if (it == moved_most.end()) return std::nullopt;
    return it->second;
  };
  std::vector<std::deque<const store::ClipRecord*>> queues;
  for (auto& [key, clips] : groups) {
    std::stable_sort(clips.begin(), clips.end(), [&](const auto* a, const auto* b) {
      const auto sa = score(a), sb = score(b);
      if (sa.has_value() != sb.has_value()) return sa.has_value();
      if (sa && *sa != *sb) return *sa > *sb;
      return a->timestamp > b->timestamp;
    });
    queues.emplace_back(clips.begin(), clips.end());
  }
  // 2. Round-robin over the groups.
  const std::size_t max = static_cast<std::size_t>(std::max(retrain.max_upload_clips, 0));
  std::vector<const store::ClipRecord*> chosen;
  while (chosen.size() < max) {
    bool took = false;
    for (auto& q : queues) {
      if (q.empty() || chosen.size() >= max) continue;
      chosen.push_back(q.front());
      q.pop_front();
      took = true;
    }
    if (!took) break;
  }
  // 3. Batches: one per (device, upload label), in order of first choice, split by size.
  std::map<std::pair<std::string, std::optional<std::string>>, std::vector<std::size_t>>
      by_batch_key;
  std::vector<std::pair<std::string, std::optional<std::string>>> key_order;
  std::vector<std::optional<std::string>> labels(chosen.size());
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    labels[i] = upload_label(*chosen[i], retrain);
    auto key = std::make_pair(chosen[i]->device_id, labels[i]);
    auto [it, inserted] = by_batch_key.try_emplace(key);
    if (inserted) key_order.push_back(key);
    it->second.push_back(i);
  }
  std::vector<store::RunClip> plan;
  int batch = -1;
  for (const auto& key : key_order) {
    std::size_t files = k_max_batch_files;  // forces a new batch for each key
    std::int64_t bytes = 0;
    for (std::size_t i : by_batch_key[key]) {
      const store::ClipRecord& c = *chosen[i];
      if (files >= k_max_batch_files || (files > 0 && bytes + c.bytes > k_max_batch_bytes)) {
        ++batch;
        files = 0;
        bytes = 0;
      }
      ++files;
      bytes += c.bytes;
      store::RunClip clip;
      clip.clip_id = c.clip_id;
      clip.batch = batch;
      clip.position = static_cast<int>(i);
      clip.device_id = c.device_id;
      clip.label = labels[i];
      clip.file = c.path;
      plan.push_back(std::move(clip));
    }
  }
  return plan;
}

GateVerdict judge_test_set(const clients::ClassifyResult& result, double min_test_accuracy) {
  GateVerdict verdict;
  for (const auto& [label, counts] : result.per_class) {
    if (auto f = counts.fraction()) verdict.per_class[label] = *f;
  }
  const auto accuracy = result.total.fraction();
  const std::string figures = "(good " + std::to_string(result.total.good) + ", bad " +
                              std::to_string(result.total.bad) + ")";
  const std::string threshold = "min_test_accuracy " + format_fraction(min_test_accuracy);
  if (!accuracy) {
    verdict.kind = GateVerdict::Kind::no_test_data;
    verdict.detail = "no test data: the test-set classification judged no sample " + figures +
                     ", so the new model cannot be checked against " + threshold;
    return verdict;
  }
  verdict.accuracy = accuracy;
  if (*accuracy < min_test_accuracy) {
    verdict.kind = GateVerdict::Kind::below_threshold;
    verdict.detail =
        "test accuracy " + format_fraction(*accuracy) + " " + figures + " is below " + threshold;
  } else {
    verdict.kind = GateVerdict::Kind::passed;
    verdict.detail =
        "test accuracy " + format_fraction(*accuracy) + " " + figures + " meets " + threshold;
  }
  return verdict;
}

nlohmann::json dispatch_payload(const store::RetrainRun& run, std::int64_t project_id) {
  nlohmann::json payload = {{"project_id", project_id},
                            {"run_id", run.id},
                            {"model_version", run.model_version},
                            {"trigger", std::string(store::to_string(run.trigger))}};
  payload["job_id"] = run.job_id ? nlohmann::json(*run.job_id) : nlohmann::json(nullptr);
  if (run.test_accuracy) payload["test_accuracy"] = *run.test_accuracy;
  if (run.drift_summary) {
    auto drift = nlohmann::json::parse(*run.drift_summary, nullptr, false);
    if (drift.is_object()) payload["drift"] = std::move(drift);
  }
  return payload;
}

}  // namespace driftd::jobs
