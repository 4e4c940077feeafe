// The successor reference of a retrain run: once a live run succeeds, the reference of its
// model version plus the windows and labels of exactly the clips it uploaded, over the same
// frozen edges, saved once under "retrain:<run id>" — however often the success is applied
// and wherever the runner is interrupted around it; a model version seen later adopts it.
#include <doctest/doctest.h>

#include <bit>
#include <map>
#include <set>

#include "driftd/drift/effective_size.hpp"
#include "driftd/drift/reference_builder.hpp"
#include "driftd/jobs/fault_injection.hpp"
#include "driftd/store/references.hpp"
#include "driftd/store/windows.hpp"
#include "support/drift_fixtures.hpp"
#include "support/retrain_fixture.hpp"

using namespace driftd;
using store::RunState;
using test::RetrainBench;

namespace {

const drift::ReferenceShape k_shape{{"mfcc_0", "mfcc_1", "rms_dbfs"}, 10, {1000, 300}};

// The reference of model version "12": 30 clips of 6 windows, labelled cat/dog.
drift::Reference base_reference() {
  test::NormalSource rng(5);
  std::vector<drift::LabeledClip> set;
  for (int c = 0; c < 30; ++c) {
    drift::ClipFeatures windows;
    for (int w = 0; w < 6; ++w) windows.push_back({rng.next(), rng.next(), -30 + rng.next()});
    set.push_back({c % 3 ? "dog" : "cat", windows});
  }
  auto reference = drift::build_training_reference(k_shape, set);
  REQUIRE(reference.ok());
  return std::move(reference.value());
}

// Stores clips of model version "12" like a device does, each with `windows` windows of
// shifted features (the drift), `labels` cycling; `confidences` below 0.8 upload unlabelled.
std::vector<std::string> add_clips_with_windows(RetrainBench& bench, int count, int windows,
                                                const std::vector<std::string>& labels,
                                                double confidence = 0.95) {
  test::NormalSource rng(99);
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    store::ClipUpload upload;
    upload.device_id = "dev-" + std::to_string(i % 2);
    upload.model_version = "12";
    upload.timestamp = bench.now - 60'000 - static_cast<util::UnixMs>(i) * 1000;
    upload.received = bench.now;
    upload.label = labels[static_cast<std::size_t>(i) % labels.size()];
    upload.confidence = confidence;
    upload.extension = "wav";
    upload.sample_rate_hz = 16000;
    upload.channels = 1;
    upload.duration_ms = 2000;
    for (int w = 0; w < windows; ++w) {
      upload.windows.push_back(
          {upload.timestamp + w * 300, {2 + rng.next(), rng.next(), -20 + rng.next()}});
    }
    auto stored = bench.archive->add(upload, test::wav_clip(static_cast<unsigned>(400 + i)));
    REQUIRE_MESSAGE(stored.ok(), (stored.ok() ? "" : stored.error().message));
    ids.push_back(stored->clip_id);
  }
  return ids;
}

// Every reference ever saved with this source.
std::vector<store::ReferenceInfo> with_source(store::Store& s, const std::string& source) {
  auto all = store::list_references(s, store::ReferenceListing::all);
  REQUIRE(all.ok());
  std::vector<store::ReferenceInfo> found;
  for (const auto& info : *all) {
    if (info.source == source) found.push_back(info);
  }
  return found;
}

// What the successor of `base` must be after run `id`: its counts plus the windows of the
// clips that were stored or duplicates, in upload order, and their upload labels.
drift::Reference expected_successor(RetrainBench& bench, const std::string& id,
                                    const drift::Reference& base, std::int64_t& clips_added) {
  drift::Reference expected = base;
  auto chosen = store::run_clips(*bench.store, id);
  REQUIRE(chosen.ok());
  const auto geometry = drift::geometry_from(bench.config.features);
  clips_added = 0;
  for (const auto& clip : *chosen) {
    if (clip.outcome != "stored" && clip.outcome != "duplicate") continue;
    store::WindowQuery query{"12", std::nullopt, 0, bench.now + 1};
    auto windows = store::read_windows(*bench.store, query);
    REQUIRE(windows.ok());
    drift::ClipFeatures features;
    for (const auto& w : *windows) {
      if (w.clip_id == clip.clip_id) features.push_back(w.values);
    }
    REQUIRE(drift::add_clip(expected.counts, base, features, geometry).ok());
    if (clip.label) expected.predictions.labels[*clip.label] += features.size();
    ++clips_added;
  }
  return expected;
}

void check_same_edges(const drift::Reference& a, const drift::Reference& b) {
  REQUIRE(a.features.size() == b.features.size());
  for (std::size_t f = 0; f < a.features.size(); ++f) {
    CHECK(a.features[f].name == b.features[f].name);
    REQUIRE(a.features[f].edges.size() == b.features[f].edges.size());
    for (std::size_t e = 0; e < a.features[f].edges.size(); ++e) {
      CHECK(std::bit_cast<std::uint64_t>(a.features[f].edges[e]) ==
            std::bit_cast<std::uint64_t>(b.features[f].edges[e]));
    }
  }
}

}  // namespace

TEST_CASE(
    "successor reference: the version's edges, its counts plus the uploaded clips' windows, "
    "and their labels") {
  RetrainBench bench;
  bench.config.retrain.max_upload_clips = 6;
  const drift::Reference base = base_reference();
  REQUIRE(
      store::save_reference(*bench.store, "12", "import:train", base, bench.now - 3'600'000).ok());
  // 8 clips of 4 windows, one per (device, label) group is chosen: 6.
  add_clips_with_windows(bench, 8, 4, {"cat", "dog", "bird"});
  const std::string id = bench.start_run();
  auto runner = bench.runner();
  const auto run = bench.drive(*runner, id);
  REQUIRE_MESSAGE(run.state == RunState::succeeded, bench.step_text(id));
  CHECK(run.clips_uploaded == 6);

  std::int64_t clips_added = 0;
  const drift::Reference expected = expected_successor(bench, id, base, clips_added);
  CHECK(clips_added == 6);

  auto successor = store::load_active_reference(*bench.store, "retrain:" + id);
  REQUIRE(successor.ok());
  REQUIRE(successor->has_value());
  const store::StoredReference& stored = **successor;
  CHECK(stored.info.source == "retrain:" + id);
  CHECK(stored.info.active);
  CHECK(stored.info.windows == base.counts.windows() + 6 * 4);
  CHECK(static_cast<std::uint64_t>(stored.info.clips) == base.counts.clips() + 6);
  check_same_edges(stored.reference, base);
  CHECK(stored.reference.counts.to_bytes() == expected.counts.to_bytes());
  CHECK(stored.reference.predictions.labels == expected.predictions.labels);
  CHECK(stored.reference.predictions.labels.at("bird") == 8u);
  CHECK(stored.reference.predictions.labels.at("cat") == base.predictions.labels.at("cat") + 8u);
  // results_per_unit: labelled windows per labelled clip over both sets (30 + 6 clips).
  std::uint64_t labelled = 0;
  for (const auto& [label, n] : stored.reference.predictions.labels) labelled += n;
  CHECK(stored.reference.predictions.results_per_unit ==
        doctest::Approx(static_cast<double>(labelled) / 36.0));

  // Version 12 keeps its own reference; an unknown version falls back to the successor.
  auto own = store::load_active_reference(*bench.store, "12");
  REQUIRE(own.ok());
  REQUIRE(own->has_value());
  CHECK((*own)->info.source == "import:train");
  CHECK((*own)->reference.counts.to_bytes() == base.counts.to_bytes());
  auto newest = store::newest_reference(*bench.store);
  REQUIRE(newest.ok());
  REQUIRE(newest->has_value());
  CHECK((*newest)->info.id == stored.info.id);
  CHECK(bench.step_text(id).find("successor reference") != std::string::npos);
}

TEST_CASE("successor reference: saved once even when the success is applied twice") {
  RetrainBench bench;
  REQUIRE(store::save_reference(*bench.store, "12", "import:train", base_reference(),
                                bench.now - 3'600'000)
              .ok());
  add_clips_with_windows(bench, 2, 3, {"cat"});
  const std::string id = bench.start_run();
  store::RunChange success;
  success.run_id = id;
  success.at = bench.now;
  success.state = RunState::succeeded;
  success.successor_reference = drift::WindowGeometry{};
  REQUIRE(store::apply_run_change(*bench.store, success).ok());
  success.at = bench.now + 1000;
  REQUIRE(store::apply_run_change(*bench.store, success).ok());
  CHECK(with_source(*bench.store, "retrain:" + id).size() == 1);
  // No clip was uploaded: the successor is the version's reference as it was.
  auto successor = store::load_active_reference(*bench.store, "retrain:" + id);
  REQUIRE(successor.ok());
  REQUIRE(successor->has_value());
  CHECK((*successor)->reference.counts.to_bytes() == base_reference().counts.to_bytes());
  CHECK((*successor)->info.created == bench.now);
}

TEST_CASE("successor reference: none for a dry run or a version without a reference") {
  SUBCASE("dry run") {
    RetrainBench bench;
    bench.config.retrain.dry_run = true;
    REQUIRE(store::save_reference(*bench.store, "12", "import:train", base_reference(), 1).ok());
    add_clips_with_windows(bench, 2, 3, {"cat"});
    const std::string id = bench.start_run();
    auto runner = bench.runner();
    CHECK(bench.drive(*runner, id).state == RunState::succeeded);
    CHECK(with_source(*bench.store, "retrain:" + id).empty());
  }
  SUBCASE("no reference") {
    RetrainBench bench;
    add_clips_with_windows(bench, 2, 3, {"cat"});
    const std::string id = bench.start_run();
    auto runner = bench.runner();
    CHECK(bench.drive(*runner, id).state == RunState::succeeded);
    CHECK(with_source(*bench.store, "retrain:" + id).empty());
    CHECK(bench.step_text(id).find("no successor reference: model version 12 has no reference") !=
          std::string::npos);
  }
}

TEST_CASE("successor reference: a crash around the success neither loses nor duplicates it") {
  for (const char* point : {"dispatch:intent", "dispatch:sent", "dispatch:outcome"}) {
    CAPTURE(point);
    RetrainBench bench;
    const drift::Reference base = base_reference();
    REQUIRE(store::save_reference(*bench.store, "12", "import:train", base, 1).ok());
    add_clips_with_windows(bench, 3, 2, {"cat", "dog"});
    const std::string id = bench.start_run();
    auto crashing = bench.runner(jobs::crash_at(point));
    bool crashed = false;
    try {
      bench.drive(*crashing, id);
    } catch (const jobs::SimulatedCrash&) {
      crashed = true;
    }
    REQUIRE(crashed);
    // Before the outcome commit there is no successor; after it, there is.
    const bool committed = std::string(point) == "dispatch:outcome";
    CHECK(with_source(*bench.store, "retrain:" + id).size() == (committed ? 1u : 0u));
    crashing.reset();
    auto resumed = bench.runner();
    CHECK(bench.drive(*resumed, id).state == RunState::succeeded);
    const auto saved = with_source(*bench.store, "retrain:" + id);
    REQUIRE(saved.size() == 1);
    CHECK(saved[0].windows == base.counts.windows() + 3 * 2);
  }
}

TEST_CASE("successor reference: adopted as its own by a version without one, once") {
  test::ScratchDir dir;
  auto s = test::open_store(dir.path() / "driftd.db");
  const drift::Reference base = base_reference();
  auto successor = store::save_reference(*s, "retrain:r-1", "retrain:r-1", base, 5000);
  REQUIRE(successor.ok());
  auto adopted = store::adopt_reference(*s, "13", *successor);
  REQUIRE(adopted.ok());
  REQUIRE(adopted->has_value());
  auto own = store::load_active_reference(*s, "13");
  REQUIRE(own.ok());
  REQUIRE(own->has_value());
  CHECK((*own)->info.id == **adopted);
  CHECK((*own)->info.source == "retrain:r-1");
  CHECK((*own)->info.created == 5000);
  CHECK((*own)->reference.counts.to_bytes() == base.counts.to_bytes());
  check_same_edges((*own)->reference, base);
  // A second adoption changes nothing: the version has its own reference now.
  auto again = store::adopt_reference(*s, "13", *successor);
  REQUIRE(again.ok());
  CHECK_FALSE(again->has_value());
  CHECK(with_source(*s, "retrain:r-1").size() == 2);
  // The successor stays active under its own name.
  auto kept = store::load_active_reference(*s, "retrain:r-1");
  REQUIRE(kept.ok());
  CHECK(kept->has_value());
}
