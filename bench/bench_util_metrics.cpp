// Cost of counting: a cached series handle (the hot path), a labelled lookup of an existing
// series, a histogram observation, and a scrape of a registry holding every driftd family
// with a realistic number of series.
#include <benchmark/benchmark.h>

#include <string>

#include "driftd/util/metric_names.hpp"

namespace {

using driftd::util::Registry;

void cached_counter_inc(benchmark::State& state) {
  Registry registry;
  auto counter = registry.counter("b_total", "B.", {"route", "status"}).labels({"/r", "200"});
  for (auto _ : state) counter.inc();
  benchmark::DoNotOptimize(counter.value());
}
BENCHMARK(cached_counter_inc)->Threads(1)->Threads(2);

void labelled_lookup_inc(benchmark::State& state) {
  Registry registry;
  auto family = registry.counter("b_total", "B.", {"route", "status"});
  const std::string route = "/api/v1/results";
  for (int s = 200; s < 210; ++s) family.labels({route, std::to_string(s)});
  for (auto _ : state) family.labels({route, "202"}).inc();
}
BENCHMARK(labelled_lookup_inc)->Threads(1)->Threads(2);

void histogram_observe(benchmark::State& state) {
  Registry registry;
  auto h = registry.histogram("b_seconds", "B.", driftd::util::http_duration_buckets()).labels();
  double v = 0.0001;
  for (auto _ : state) {
    h.observe(v);
    v = v < 20 ? v * 1.7 : 0.0001;
  }
}
BENCHMARK(histogram_observe);

void render_every_family(benchmark::State& state) {
  Registry registry;
  auto m = driftd::util::register_driftd_metrics(registry);
  for (int r = 0; r < 12; ++r) {
    const std::string route = "/route/" + std::to_string(r);
    for (const char* status : {"200", "400", "401", "404", "500"}) {
      m.http_requests.labels({route, status}).inc();
    }
    m.http_request_duration.labels({route}).observe(0.01);
  }
  for (int v = 0; v < 3; ++v) {
    for (int f = 0; f < 14; ++f) {
      m.drift_psi.labels({std::to_string(v), "mfcc_" + std::to_string(f)}).set(0.1);
    }
  }
  for (auto _ : state) benchmark::DoNotOptimize(registry.render());
}
BENCHMARK(render_every_family);

}  // namespace

BENCHMARK_MAIN();
