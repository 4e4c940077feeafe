// Group commit under load: N threads each submit small write jobs and wait for their
// commit, as request threads do. Compares synchronous=FULL (a WAL sync per commit) with
// NORMAL (no sync per commit), on a file in the system temp directory.
//
//   bench_store_writer
//
// Counters: jobs/s (items_per_second), jobs per transaction, and the share of time spent in
// COMMIT.

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <SQLiteCpp/Statement.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "driftd/store/store.hpp"

namespace {

using driftd::store::Durability;
using driftd::store::Store;
using driftd::store::StoreOptions;
using driftd::store::WriteTxn;

constexpr int k_jobs_per_thread = 200;

std::filesystem::path scratch_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "driftd-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

void store_writer(benchmark::State& state) {
  const auto durability = state.range(0) == 0 ? Durability::full : Durability::normal;
  const int threads = static_cast<int>(state.range(1));
  const auto dir = scratch_dir();
  StoreOptions options;
  options.database = dir / "bench.db";
  options.durability = durability;
  options.migrations = {{1, "0001_items",
                         "CREATE TABLE items (id INTEGER PRIMARY KEY, thread INTEGER, seq INTEGER,"
                         " payload TEXT);"}};
  auto opened = Store::open(options, 0);
  if (!opened.ok()) {
    state.SkipWithError(opened.error().message.c_str());
    return;
  }
  Store& store = *opened.value();

  for (auto _ : state) {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&store, t] {
        for (int i = 0; i < k_jobs_per_thread; ++i) {
          auto done = store.writer().run([t, i](WriteTxn& txn) -> driftd::Status {
            SQLite::Statement& insert =
                txn.prepare("INSERT INTO items (thread, seq, payload) VALUES (?, ?, ?)");
            insert.bind(1, t);
            insert.bind(2, i);
            insert.bind(3, std::string(200, 'x'));
            insert.exec();
            return driftd::Ok{};
          });
          benchmark::DoNotOptimize(done);
        }
      });
    }
    for (auto& w : workers) w.join();
  }
  const auto stats = store.writer_stats();
  const double jobs = static_cast<double>(stats.jobs_committed);
  state.SetItemsProcessed(static_cast<std::int64_t>(jobs));
  state.counters["jobs_per_txn"] = jobs / static_cast<double>(stats.batches_committed);
  state.counters["commit_share"] = stats.commit_seconds_total / stats.batch_seconds_total;
  store.close();
  std::filesystem::remove_all(dir);
}

BENCHMARK(store_writer)
    ->ArgNames({"normal", "threads"})
    ->ArgsProduct({{0, 1}, {1, 8, 32}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
