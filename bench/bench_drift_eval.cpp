// The cost of one drift evaluation of a model version: 1 000 devices × 14 features over a
// 24 h window of hourly buckets (24 000 bucket rows, each about 60 windows in 3 clips and
// 100 results), read from a real SQLite file, merged per device and fleet-wide, and
// evaluated fleet-wide and for every device, with attribution and the fleet's JSON body
// (DriftEvaluator::evaluate_version without storing). The same again with ten times as much
// data stored (240 h of buckets, the window being the newest 24 h): the time should not
// grow, because an evaluation reads the buckets of its window only (docs/benchmarks.md,
// "Drift evaluation").
//
// The buckets are written with one INSERT per row, in the compact format the ingest path
// writes (drift::to_compact_bytes of drift::bin_sample), rather than by ingesting the
// 1.4 million windows they summarise: the evaluation reads nothing else. The raw window
// and result rows that the ingest path also stores are not created.
//
//   bench_drift_eval [--benchmark_repetitions=5]
//
// The files are built once per run in the system temp directory (not timed) and removed at
// exit.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <SQLiteCpp/Statement.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "driftd/audio/clip_analyzer.hpp"
#include "driftd/config/config.hpp"
#include "driftd/drift/compact_counts.hpp"
#include "driftd/drift/reference.hpp"
#include "driftd/drift/reference_builder.hpp"
#include "driftd/jobs/drift_evaluator.hpp"
#include "driftd/store/drift_binning.hpp"
#include "driftd/store/drift_buckets.hpp"
#include "driftd/store/references.hpp"
#include "driftd/store/store.hpp"

namespace {

using namespace driftd;

constexpr int k_devices = 1000;
constexpr int k_window_hours = 24;
constexpr std::int64_t k_hour = 3'600'000;
constexpr util::UnixMs k_now = 1'800'000'000'000 / k_hour * k_hour + 30 * 60'000;
constexpr std::size_t k_width = 14;
constexpr int k_distinct_blobs = 64;

// Seeded standard normal values (Box–Muller over mt19937_64).
class Normal {
 public:
  explicit Normal(std::uint64_t seed) : m_rng(seed) {}
  double next() {
    const double u1 = (static_cast<double>(m_rng() >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(m_rng() >> 11) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::mt19937_64 m_rng;
};

drift::ClipFeatures unit(Normal& normal, std::size_t windows) {
  drift::ClipFeatures clip(windows, std::vector<double>(k_width));
  for (auto& w : clip) {
    for (auto& v : w) v = normal.next();
  }
  return clip;
}

struct BucketBlobs {
  std::vector<std::vector<std::uint8_t>> counts;
  std::vector<std::uint8_t> labels;
};

// Bucket contents made by binning synthetic clips with the reference: 3 clips of 20 windows.
BucketBlobs make_blobs(const drift::Reference& reference) {
  BucketBlobs blobs;
  Normal normal(99);
  for (int b = 0; b < k_distinct_blobs; ++b) {
    std::vector<drift::ClipFeatures> clips;
    for (int c = 0; c < 3; ++c) clips.push_back(unit(normal, 20));
    auto sample = drift::bin_sample(reference, clips, drift::WindowGeometry{});
    blobs.counts.push_back(drift::to_compact_bytes(sample.value()));
  }
  blobs.labels = drift::labels_to_bytes({{"crying", 22}, {"sleeping", 71}, {"talking", 7}});
  return blobs;
}

std::filesystem::path scratch_dir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "driftd-bench-drift-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

// A database with the reference of model version "12" and hourly buckets for every device
// over `hours` hours up to k_now.
std::unique_ptr<store::Store> build_database(const std::filesystem::path& file, int hours) {
  store::StoreOptions options;
  options.database = file;
  options.durability = store::Durability::normal;
  auto opened = store::Store::open(options, k_now);
  if (!opened.ok()) return nullptr;
  auto db = std::move(opened).value();
  Normal normal(1);
  std::vector<drift::ClipFeatures> training;
  for (int c = 0; c < 700; ++c) training.push_back(unit(normal, 6));
  const auto names = audio::drift_feature_names(k_width - 1);
  const auto reference = drift::build_reference(names, training, 10, drift::WindowGeometry{});
  if (!store::save_reference(*db, "12", "import:bench", reference.value(), k_now - 90 * 24 * k_hour)
           .ok()) {
    return nullptr;
  }
  auto state = store::ensure_binning(*db, "12", k_width);
  if (!state.ok()) return nullptr;
  const BucketBlobs blobs = make_blobs(reference.value());
  const util::UnixMs last = k_now / k_hour * k_hour;
  for (int h = 0; h < hours; ++h) {
    const util::UnixMs start = last - h * k_hour;
    auto written = db->writer().run([&](store::WriteTxn& txn) -> Status {
      SQLite::Statement& insert = txn.prepare(
          "INSERT INTO drift_buckets (model_version, bucket_start, device_id, epoch, "
          "reference_id, windows, clips, counts, results, labels, confidence_sum, "
          "confidence_sum_sq) VALUES ('12', ?, ?, ?, ?, 60, 3, ?, 100, ?, 88.0, 78.5)");
      for (int d = 0; d < k_devices; ++d) {
        const auto& counts = blobs.counts[static_cast<std::size_t>((h * 7 + d) % k_distinct_blobs)];
        insert.reset();
        insert.bind(1, static_cast<std::int64_t>(start));
        insert.bind(2, "device-" + std::to_string(d));
        insert.bind(3, state->epoch);
        insert.bind(4, state->reference_id);
        insert.bind(5, counts.data(), static_cast<int>(counts.size()));
        insert.bind(6, blobs.labels.data(), static_cast<int>(blobs.labels.size()));
        insert.exec();
      }
      return Ok{};
    });
    if (!written.ok()) return nullptr;
  }
  return db;
}

struct Setup {
  std::filesystem::path dir = scratch_dir();
  std::unique_ptr<store::Store> store;
  config::Config config;
  std::unique_ptr<jobs::DriftEvaluator> evaluator;

  Setup() = default;
  Setup(const Setup&) = delete;
  Setup& operator=(const Setup&) = delete;
  // Closes the database, then removes its folder.
  ~Setup() {
    evaluator.reset();
    store.reset();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
  }
};

Setup& setup(int hours) {
  static std::map<int, std::unique_ptr<Setup>> setups;
  auto& slot = setups[hours];
  if (!slot) {
    slot = std::make_unique<Setup>();
    slot->store = build_database(slot->dir / "drift.db", hours);
    if (slot->store) {
      slot->evaluator = std::make_unique<jobs::DriftEvaluator>(*slot->store, slot->config);
      // Freezes the prediction reference and loads the reference (not timed).
      (void)slot->evaluator->evaluate_version("12", k_now, {false, false, false, {}});
    }
  }
  return *slot;
}

// One evaluation of the fleet and every device. Arg: hours of buckets stored.
void drift_evaluation(benchmark::State& state) {
  Setup& s = setup(static_cast<int>(state.range(0)));
  if (!s.evaluator) {
    state.SkipWithError("cannot build the database");
    return;
  }
  std::int64_t rows = 0;
  std::size_t devices = 0;
  util::UnixMs now = k_now;
  for (auto _ : state) {
    auto evaluated = s.evaluator->evaluate_version("12", now++, {false, false, false, {}});
    if (!evaluated.ok()) {
      state.SkipWithError(evaluated.error().message.c_str());
      return;
    }
    rows = evaluated->bucket_rows_read;
    devices = evaluated->evaluation.devices.size();
    benchmark::DoNotOptimize(evaluated->fleet_body);
  }
  state.counters["bucket_rows"] = static_cast<double>(rows);
  state.counters["devices"] = static_cast<double>(devices);
  std::error_code ec;
  state.counters["db_MiB"] =
      static_cast<double>(std::filesystem::file_size(s.dir / "drift.db", ec)) / (1 << 20);
}

// Reading and summing the window's buckets alone. Arg: hours of buckets stored.
void drift_read_buckets(benchmark::State& state) {
  Setup& s = setup(static_cast<int>(state.range(0)));
  if (!s.store) {
    state.SkipWithError("cannot build the database");
    return;
  }
  auto binning = store::find_binning_state(*s.store, "12");
  const util::UnixMs last = k_now / k_hour * k_hour;
  for (auto _ : state) {
    auto buckets = store::read_buckets(*s.store, {"12", last - (k_window_hours - 1) * k_hour, last,
                                                  (*binning.value()).epoch, std::nullopt});
    benchmark::DoNotOptimize(buckets);
  }
}

}  // namespace

BENCHMARK(drift_evaluation)
    ->Arg(k_window_hours)
    ->Arg(10 * k_window_hours)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(drift_read_buckets)
    ->Arg(k_window_hours)
    ->Arg(10 * k_window_hours)
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
