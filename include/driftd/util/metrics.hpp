#pragma once
// Prometheus metrics: counters, gauges and histograms grouped in labelled families, kept in a
// Registry and rendered in the text exposition format 0.0.4 for GET /metrics.
//
// Ownership: there is no process-wide registry. The daemon owns one Registry for its whole
// life and hands the family handles (see util/metric_names.hpp) to the parts that count
// things; tests make their own. Logging stays the one accepted global.
//
// Cost: a series handle (Counter, Gauge, Histogram) points at one labelled series; updating
// it is a relaxed atomic operation and takes no lock, so hot paths cache their handles. A
// family's labels() looks its series up under a shared (reader) lock and takes the exclusive
// lock only to create a series that does not exist yet. Rendering reads the atomics under the
// same shared locks, so a scrape never blocks updates (only creating a new series waits).
//
// Handles are cheap to copy and stay valid after their series was removed or the registry
// destroyed (an orphaned series still counts but is no longer rendered). A default-made
// handle is detached: it counts, is never rendered, and lets a module run without a registry.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace driftd::util {

// Content-Type of the rendered text, for the /metrics response.
inline constexpr std::string_view k_prometheus_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

// Label values of one series, in the order of the family's label names.
using LabelValues = std::vector<std::string>;

namespace detail {
// One counter or gauge series: a double updated with atomic operations.
struct ValueCell {
  std::atomic<double> value{0.0};
};
// One histogram series: a count per bucket (not cumulative; the last is +Inf) and a sum.
struct HistogramCell {
  explicit HistogramCell(std::shared_ptr<const std::vector<double>> upper_bounds);
  std::shared_ptr<const std::vector<double>> bounds;     // finite upper bounds, increasing
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts;  // bounds->size() + 1 entries
  std::atomic<double> sum{0.0};
};
class Family;
}  // namespace detail

// A monotonically increasing count. inc() with a negative or NaN amount is ignored.
class Counter {
 public:
  Counter();
  void inc(double amount = 1.0) {
    if (amount >= 0.0) m_cell->value.fetch_add(amount, std::memory_order_relaxed);
  }
  double value() const { return m_cell->value.load(std::memory_order_relaxed); }

 private:
  friend class CounterFamily;
  explicit Counter(std::shared_ptr<detail::ValueCell> cell) : m_cell(std::move(cell)) {}
  std::shared_ptr<detail::ValueCell> m_cell;
};

// A value that goes up and down (or is set at scrape time by a collector).
class Gauge {
 public:
  Gauge();
  void set(double v) { m_cell->value.store(v, std::memory_order_relaxed); }
  void inc(double amount = 1.0) { m_cell->value.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1.0) { m_cell->value.fetch_sub(amount, std::memory_order_relaxed); }
  double value() const { return m_cell->value.load(std::memory_order_relaxed); }

 private:
  friend class GaugeFamily;
  explicit Gauge(std::shared_ptr<detail::ValueCell> cell) : m_cell(std::move(cell)) {}
  std::shared_ptr<detail::ValueCell> m_cell;
};

// Observations counted into fixed buckets, with their sum. NaN observations are ignored.
class Histogram {
 public:
  Histogram();
  void observe(double v);
  // Observes a duration in seconds (the unit every driftd *_seconds histogram uses).
  void observe_duration(std::chrono::nanoseconds d) {
    observe(std::chrono::duration<double>(d).count());
  }
  std::uint64_t count() const;  // number of observations so far
  double sum() const;           // sum of the observations so far

 private:
  friend class HistogramFamily;
  explicit Histogram(std::shared_ptr<detail::HistogramCell> cell) : m_cell(std::move(cell)) {}
  std::shared_ptr<detail::HistogramCell> m_cell;
};

// A named family of counter series, one per distinct tuple of label values.
class CounterFamily {
 public:
  CounterFamily() = default;  // detached: labels() returns detached counters
  // The series for `values` (one per label name), created at zero on first use. Throws
  // std::invalid_argument when the number of values differs from the number of label names.
  Counter labels(const LabelValues& values = {}) const;
  void remove(const LabelValues& values) const;  // stops rendering that series
  void clear() const;                            // stops rendering every series

 private:
  friend class Registry;
  explicit CounterFamily(std::shared_ptr<detail::Family> f) : m_family(std::move(f)) {}
  std::shared_ptr<detail::Family> m_family;
};

// A named family of gauge series; same contract as CounterFamily.
class GaugeFamily {
 public:
  GaugeFamily() = default;
  Gauge labels(const LabelValues& values = {}) const;
  void remove(const LabelValues& values) const;
  void clear() const;

 private:
  friend class Registry;
  explicit GaugeFamily(std::shared_ptr<detail::Family> f) : m_family(std::move(f)) {}
  std::shared_ptr<detail::Family> m_family;
};

// A named family of histogram series sharing one set of bucket bounds.
class HistogramFamily {
 public:
  HistogramFamily() = default;
  Histogram labels(const LabelValues& values = {}) const;
  void remove(const LabelValues& values) const;
  void clear() const;

 private:
  friend class Registry;
  explicit HistogramFamily(std::shared_ptr<detail::Family> f) : m_family(std::move(f)) {}
  std::shared_ptr<detail::Family> m_family;
};

// Identifies a collector so that it can be removed.
using CollectorId = std::uint64_t;

// The set of metric families of one process, and their rendering.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registers a family, or returns the existing one when a family of that name was already
  // registered with the same type, help, label names (and bounds). Throws
  // std::invalid_argument for an invalid metric or label name, a reserved label ("le" on a
  // histogram, names starting with "__"), bounds that are empty, not finite or not strictly
  // increasing, or a name already registered differently. A family without label names
  // gets its one series at registration, so it renders 0 from the start.
  CounterFamily counter(const std::string& name, const std::string& help,
                        const std::vector<std::string>& label_names = {});
  GaugeFamily gauge(const std::string& name, const std::string& help,
                    const std::vector<std::string>& label_names = {});
  HistogramFamily histogram(const std::string& name, const std::string& help,
                            const std::vector<double>& upper_bounds,
                            const std::vector<std::string>& label_names = {});

  // Adds a callback run at the start of every render(), e.g. to set a gauge to the current
  // database size. Collectors run one at a time, in the order added; one that throws is
  // skipped for that scrape (and logged). A collector must not add or remove collectors.
  CollectorId add_collector(std::function<void()> collector);
  // After this returns, the collector is never called again.
  void remove_collector(CollectorId id);

  // Runs the collectors, then renders every family (sorted by name) and its series (sorted
  // by label values) in the Prometheus text format 0.0.4: HELP and TYPE lines, escaped label
  // values, cumulative histogram buckets ending at le="+Inf", then _sum and _count.
  std::string render();

 private:
  std::shared_ptr<detail::Family> add_family(std::shared_ptr<detail::Family> family);

  std::mutex m_families_mutex;
  std::map<std::string, std::shared_ptr<detail::Family>, std::less<>> m_families;
  std::mutex m_collectors_mutex;  // held while collectors run
  std::vector<std::pair<CollectorId, std::function<void()>>> m_collectors;
  CollectorId m_next_collector = 1;
};

// Prometheus text escaping of a label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);
// Prometheus text escaping of a HELP text: backslash and newline.
std::string escape_help(std::string_view help);
// A sample value as Prometheus reads it: integers without a fraction, shortest round-trip
// form otherwise, "+Inf", "-Inf", "NaN".
std::string format_metric_value(double v);

}  // namespace driftd::util
