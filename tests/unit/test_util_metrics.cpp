#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "driftd/util/metrics.hpp"

using driftd::util::Counter;
using driftd::util::CounterFamily;
using driftd::util::escape_label_value;
using driftd::util::format_metric_value;
using driftd::util::Histogram;
using driftd::util::Registry;

TEST_CASE("a labelled counter renders HELP, TYPE and one line per series in label order") {
  Registry registry;
  auto requests = registry.counter("t_requests_total", "Requests.", {"route", "status"});
  requests.labels({"/b", "200"}).inc();
  requests.labels({"/a", "404"}).inc(2);
  requests.labels({"/a", "200"}).inc(0.5);

  CHECK(registry.render() ==
        "# HELP t_requests_total Requests.\n"
        "# TYPE t_requests_total counter\n"
        "t_requests_total{route=\"/a\",status=\"200\"} 0.5\n"
        "t_requests_total{route=\"/a\",status=\"404\"} 2\n"
        "t_requests_total{route=\"/b\",status=\"200\"} 1\n");
}

TEST_CASE("families render sorted by name and an unlabelled family shows 0 from the start") {
  Registry registry;
  registry.gauge("t_zeta", "Last.");
  registry.counter("t_alpha_total", "First.");
  registry.counter("t_empty_total", "No series yet.", {"reason"});

  CHECK(registry.render() ==
        "# HELP t_alpha_total First.\n"
        "# TYPE t_alpha_total counter\n"
        "t_alpha_total 0\n"
        "# HELP t_empty_total No series yet.\n"
        "# TYPE t_empty_total counter\n"
        "# HELP t_zeta Last.\n"
        "# TYPE t_zeta gauge\n"
        "t_zeta 0\n");
}

TEST_CASE("label values escape backslash, quote and newline; help escapes backslash and newline") {
  Registry registry;
  auto g = registry.gauge("t_gauge", "Line one\nback\\slash \"quoted\"", {"v"});
  g.labels({"a\\b\"c\nd"}).set(-1.25);

  CHECK(registry.render() ==
        "# HELP t_gauge Line one\\nback\\\\slash \"quoted\"\n"
        "# TYPE t_gauge gauge\n"
        "t_gauge{v=\"a\\\\b\\\"c\\nd\"} -1.25\n");
  CHECK(escape_label_value("plain") == "plain");
}

TEST_CASE("histogram buckets are cumulative, end at +Inf, and agree with _count") {
  Registry registry;
  auto h = registry.histogram("t_seconds", "Durations.", {0.1, 1, 2.5}, {"route"});
  auto a = h.labels({"/a"});
  for (double v : {0.05, 0.1, 0.5, 1.0, 3.0, 7.0}) a.observe(v);
  a.observe(std::numeric_limits<double>::quiet_NaN());  // ignored

  CHECK(a.count() == 6);
  CHECK(a.sum() == doctest::Approx(11.65));
  CHECK(registry.render() ==
        "# HELP t_seconds Durations.\n"
        "# TYPE t_seconds histogram\n"
        "t_seconds_bucket{route=\"/a\",le=\"0.1\"} 2\n"
        "t_seconds_bucket{route=\"/a\",le=\"1\"} 4\n"
        "t_seconds_bucket{route=\"/a\",le=\"2.5\"} 4\n"
        "t_seconds_bucket{route=\"/a\",le=\"+Inf\"} 6\n"
        "t_seconds_sum{route=\"/a\"} 11.65\n"
        "t_seconds_count{route=\"/a\"} 6\n");
}

TEST_CASE("an unlabelled histogram renders only le on its buckets") {
  Registry registry;
  auto h = registry.histogram("t_eval_seconds", "Eval.", {1}).labels();
  h.observe(2);
  CHECK(registry.render() ==
        "# HELP t_eval_seconds Eval.\n"
        "# TYPE t_eval_seconds histogram\n"
        "t_eval_seconds_bucket{le=\"1\"} 0\n"
        "t_eval_seconds_bucket{le=\"+Inf\"} 1\n"
        "t_eval_seconds_sum 2\n"
        "t_eval_seconds_count 1\n");
}

TEST_CASE("concurrent increments from several threads sum exactly") {
  Registry registry;
  auto family = registry.counter("t_hits_total", "Hits.", {"worker"});
  auto h = registry.histogram("t_obs_seconds", "Obs.", {0.5}).labels();
  constexpr int k_threads = 4;
  constexpr int k_per_thread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&family, &h, t] {
      Counter shared = family.labels({"all"});
      for (int i = 0; i < k_per_thread; ++i) {
        shared.inc();
        family.labels({"w" + std::to_string(t % 2)}).inc();  // lookups race with creation
        h.observe(i % 2 == 0 ? 0.25 : 1.0);
      }
    });
  }
  for (auto& th : threads) th.join();

  CHECK(family.labels({"all"}).value() == k_threads * k_per_thread);
  CHECK(family.labels({"w0"}).value() == 2 * k_per_thread);
  CHECK(family.labels({"w1"}).value() == 2 * k_per_thread);
  CHECK(h.count() == static_cast<std::uint64_t>(k_threads * k_per_thread));
  CHECK(h.sum() == doctest::Approx(k_threads * k_per_thread * 0.625));
  const std::string text = registry.render();
  CHECK(text.find("t_obs_seconds_bucket{le=\"0.5\"} 40000\n") != std::string::npos);
}

TEST_CASE("a scrape during updates never blocks them and stays parseable") {
  Registry registry;
  auto c = registry.counter("t_busy_total", "Busy.", {"k"});
  std::thread writer([&c] {
    for (int i = 0; i < 5000; ++i) c.labels({std::to_string(i % 50)}).inc();
  });
  std::size_t series_seen = 0;
  for (int i = 0; i < 20; ++i) {
    const std::string text = registry.render();
    series_seen = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) - 2;
  }
  writer.join();
  CHECK(series_seen <= 50);
  CHECK(c.labels({"7"}).value() == 100);
}

TEST_CASE("the same family registered twice is shared; a different definition is refused") {
  Registry registry;
  auto first = registry.counter("t_x_total", "X.", {"a"});
  auto second = registry.counter("t_x_total", "X.", {"a"});
  first.labels({"1"}).inc();
  CHECK(second.labels({"1"}).value() == 1);

  CHECK_THROWS_AS(registry.counter("t_x_total", "Other help.", {"a"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.gauge("t_x_total", "X.", {"a"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("t_x_total", "X.", {"b"}), std::invalid_argument);
  registry.histogram("t_h_seconds", "H.", {1, 2});
  CHECK_NOTHROW(registry.histogram("t_h_seconds", "H.", {1, 2}));
  CHECK_THROWS_AS(registry.histogram("t_h_seconds", "H.", {1, 3}), std::invalid_argument);
}

TEST_CASE("invalid names, reserved labels, bad bounds and wrong label counts are refused") {
  Registry registry;
  CHECK_THROWS_AS(registry.counter("9lives", "bad"), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("has-dash", "bad"), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("t_ok_total", "bad", {"__reserved"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("t_ok_total", "bad", {"a:b"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("t_h_seconds", "bad", {1}, {"le"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("t_h_seconds", "bad", {}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("t_h_seconds", "bad", {2, 1}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("t_h_seconds", "bad", {1, std::nan("")}),
                  std::invalid_argument);
  auto f = registry.counter("t_two_total", "Two labels.", {"a", "b"});
  CHECK_THROWS_AS(f.labels({"only-one"}), std::invalid_argument);
  CHECK_NOTHROW(registry.counter("ns:colon_total", "Colons are allowed in metric names."));
}

TEST_CASE("collectors run at scrape time; a removed collector never runs again") {
  Registry registry;
  auto size = registry.gauge("t_db_bytes", "Size.").labels();
  double current = 100;
  int calls = 0;
  const auto id = registry.add_collector([&] {
    ++calls;
    size.set(current);
  });
  registry.add_collector([] { throw std::runtime_error("unavailable"); });

  CHECK(registry.render().find("t_db_bytes 100\n") != std::string::npos);
  current = 4096;
  CHECK(registry.render().find("t_db_bytes 4096\n") != std::string::npos);
  registry.remove_collector(id);
  current = 1;
  CHECK(registry.render().find("t_db_bytes 4096\n") != std::string::npos);
  CHECK(calls == 2);
}

TEST_CASE("a removed series is no longer rendered but its handle keeps working") {
  Registry registry;
  auto psi = registry.gauge("t_psi", "PSI.", {"feature"});
  auto old = psi.labels({"mfcc_0"});
  old.set(0.3);
  psi.labels({"mfcc_1"}).set(0.1);
  psi.remove({"mfcc_0"});
  old.set(0.4);

  const std::string text = registry.render();
  CHECK(text.find("mfcc_0") == std::string::npos);
  CHECK(text.find("t_psi{feature=\"mfcc_1\"} 0.1\n") != std::string::npos);
  CHECK(old.value() == 0.4);
  psi.clear();
  CHECK(registry.render() == "# HELP t_psi PSI.\n# TYPE t_psi gauge\n");
}

TEST_CASE("detached handles count without a registry") {
  Counter c;
  c.inc(3);
  c.inc(-1);  // ignored: counters only go up
  CHECK(c.value() == 3);
  CounterFamily family;
  family.labels({"any", "number", "of", "labels"}).inc();
  Histogram h;
  h.observe(5);
  CHECK(h.count() == 1);
}

TEST_CASE("sample values are written as Prometheus parses them") {
  CHECK(format_metric_value(0) == "0");
  CHECK(format_metric_value(42) == "42");
  CHECK(format_metric_value(-3) == "-3");
  CHECK(format_metric_value(0.005) == "0.005");
  CHECK(format_metric_value(1e20) == "1e+20");
  CHECK(format_metric_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_metric_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_metric_value(std::nan("")) == "NaN");
  CHECK(std::stod(format_metric_value(0.1 + 0.2)) == 0.1 + 0.2);
}
