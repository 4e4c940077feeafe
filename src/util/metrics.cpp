// Metric families and their Prometheus text rendering.
//
// Each family keeps its series in an ordered map from label values to a shared cell, guarded
// by a shared_mutex: lookups of existing series take the reader side, creating a series the
// writer side. Updates go straight to the cell's atomics through a handle and take no lock.
// Histograms store a count per bucket (not cumulative) so that an observation touches one
// bucket; rendering accumulates them and takes _count from the same sum, so the +Inf bucket
// and _count always agree even while observations arrive during a scrape.
#include "driftd/util/metrics.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <shared_mutex>
#include <stdexcept>

namespace driftd::util {

namespace detail {

enum class FamilyType { counter, gauge, histogram };

class Family {
 public:
  std::string name;
  std::string help;
  FamilyType type = FamilyType::counter;
  std::vector<std::string> label_names;
  std::shared_ptr<const std::vector<double>> bounds;  // histograms only

  mutable std::shared_mutex mutex;
  std::map<LabelValues, std::shared_ptr<ValueCell>> values;          // counters and gauges
  std::map<LabelValues, std::shared_ptr<HistogramCell>> histograms;  // histograms
};

HistogramCell::HistogramCell(std::shared_ptr<const std::vector<double>> upper_bounds)
    : bounds(std::move(upper_bounds)),
      counts(std::make_unique<std::atomic<std::uint64_t>[]>(bounds->size() + 1)) {}

}  // namespace detail

namespace {

using detail::Family;
using detail::FamilyType;
using detail::HistogramCell;
using detail::ValueCell;

// The bounds of a detached histogram: a single +Inf bucket.
std::shared_ptr<const std::vector<double>> no_bounds() {
  static const auto k_empty = std::make_shared<const std::vector<double>>();
  return k_empty;
}

bool is_name_char(char c, bool first, bool allow_colon) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  const bool digit = c >= '0' && c <= '9';
  return letter || (!first && digit) || (allow_colon && c == ':');
}

bool is_valid_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!is_name_char(name[i], i == 0, allow_colon)) return false;
  }
  return true;
}

void check_arity(const Family& f, const LabelValues& values) {
  if (values.size() != f.label_names.size()) {
    throw std::invalid_argument("metric " + f.name + " takes " +
                                std::to_string(f.label_names.size()) + " label values, got " +
                                std::to_string(values.size()));
  }
}

// The series for `values`, created with `make` when missing.
template <typename Cell, typename Make>
std::shared_ptr<Cell> find_or_create(Family& f,
                                     std::map<LabelValues, std::shared_ptr<Cell>>& series,
                                     const LabelValues& values, Make make) {
  check_arity(f, values);
  {
    std::shared_lock lock(f.mutex);
    auto it = series.find(values);
    if (it != series.end()) return it->second;
  }
  std::unique_lock lock(f.mutex);
  auto [it, inserted] = series.try_emplace(values);
  if (inserted) it->second = make();
  return it->second;
}

template <typename Cell>
void remove_series(Family& f, std::map<LabelValues, std::shared_ptr<Cell>>& series,
                   const LabelValues& values) {
  std::unique_lock lock(f.mutex);
  series.erase(values);
}

template <typename Cell>
void clear_series(Family& f, std::map<LabelValues, std::shared_ptr<Cell>>& series) {
  std::unique_lock lock(f.mutex);
  series.clear();
}

const char* type_name(FamilyType t) {
  switch (t) {
    case FamilyType::counter:
      return "counter";
    case FamilyType::gauge:
      return "gauge";
    case FamilyType::histogram:
      return "histogram";
  }
  return "untyped";
}

// `{a="x",b="y"}`, with `extra` (already formatted, e.g. `le="0.5"`) appended; empty when
// there is nothing to show.
std::string label_block(const Family& f, const LabelValues& values, std::string_view extra = {}) {
  if (values.empty() && extra.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += f.label_names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!extra.empty()) {
    if (!values.empty()) out += ',';
    out += extra;
  }
  out += '}';
  return out;
}

void render_family(const Family& f, std::string& out) {
  out += "# HELP " + f.name + ' ' + escape_help(f.help) + '\n';
  out += "# TYPE " + f.name + ' ' + type_name(f.type) + '\n';
  std::shared_lock lock(f.mutex);
  if (f.type != FamilyType::histogram) {
    for (const auto& [values, cell] : f.values) {
      out += f.name + label_block(f, values) + ' ' +
             format_metric_value(cell->value.load(std::memory_order_relaxed)) + '\n';
    }
    return;
  }
  for (const auto& [values, cell] : f.histograms) {
    std::uint64_t cumulative = 0;
    const auto& bounds = *cell->bounds;
    for (std::size_t i = 0; i <= bounds.size(); ++i) {
      cumulative += cell->counts[i].load(std::memory_order_relaxed);
      const std::string le = i < bounds.size() ? format_metric_value(bounds[i]) : "+Inf";
      out += f.name + "_bucket" + label_block(f, values, "le=\"" + le + '"') + ' ' +
             std::to_string(cumulative) + '\n';
    }
    const std::string labels = label_block(f, values);
    out += f.name + "_sum" + labels + ' ' +
           format_metric_value(cell->sum.load(std::memory_order_relaxed)) + '\n';
    out += f.name + "_count" + labels + ' ' + std::to_string(cumulative) + '\n';
  }
}

std::shared_ptr<Family> make_family(const std::string& name, const std::string& help,
                                    FamilyType type, const std::vector<std::string>& labels) {
  if (!is_valid_name(name, true)) throw std::invalid_argument("invalid metric name: " + name);
  for (const auto& label : labels) {
    if (!is_valid_name(label, false) || label.starts_with("__") ||
        (type == FamilyType::histogram && label == "le")) {
      throw std::invalid_argument("invalid label name for " + name + ": " + label);
    }
  }
  auto f = std::make_shared<Family>();
  f->name = name;
  f->help = help;
  f->type = type;
  f->label_names = labels;
  return f;
}

}  // namespace

Counter::Counter() : m_cell(std::make_shared<ValueCell>()) {}
Gauge::Gauge() : m_cell(std::make_shared<ValueCell>()) {}
Histogram::Histogram() : m_cell(std::make_shared<HistogramCell>(no_bounds())) {}

void Histogram::observe(double v) {
  if (std::isnan(v)) return;
  const auto& bounds = *m_cell->bounds;
  // The first bucket whose upper bound is >= v (buckets are "less than or equal").
  const auto bucket =
      static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), v) - bounds.begin());
  m_cell->counts[bucket].fetch_add(1, std::memory_order_relaxed);
  m_cell->sum.fetch_add(v, std::memory_order_relaxed);
}

std::uint64_t Histogram::count() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= m_cell->bounds->size(); ++i) {
    total += m_cell->counts[i].load(std::memory_order_relaxed);
  }
  return total;
}

double Histogram::sum() const {
  return m_cell->sum.load(std::memory_order_relaxed);
}

Counter CounterFamily::labels(const LabelValues& values) const {
  if (!m_family) return Counter{};
  return Counter(find_or_create(*m_family, m_family->values, values,
                                [] { return std::make_shared<ValueCell>(); }));
}
void CounterFamily::remove(const LabelValues& values) const {
  if (m_family) remove_series(*m_family, m_family->values, values);
}
void CounterFamily::clear() const {
  if (m_family) clear_series(*m_family, m_family->values);
}

Gauge GaugeFamily::labels(const LabelValues& values) const {
  if (!m_family) return Gauge{};
  return Gauge(find_or_create(*m_family, m_family->values, values,
                              [] { return std::make_shared<ValueCell>(); }));
}
void GaugeFamily::remove(const LabelValues& values) const {
  if (m_family) remove_series(*m_family, m_family->values, values);
}
void GaugeFamily::clear() const {
  if (m_family) clear_series(*m_family, m_family->values);
}

Histogram HistogramFamily::labels(const LabelValues& values) const {
  if (!m_family) return Histogram{};
  const auto& bounds = m_family->bounds;
  return Histogram(find_or_create(*m_family, m_family->histograms, values,
                                  [&bounds] { return std::make_shared<HistogramCell>(bounds); }));
}
void HistogramFamily::remove(const LabelValues& values) const {
  if (m_family) remove_series(*m_family, m_family->histograms, values);
}
void HistogramFamily::clear() const {
  if (m_family) clear_series(*m_family, m_family->histograms);
}

Registry::Registry() = default;
Registry::~Registry() = default;

std::shared_ptr<Family> Registry::add_family(std::shared_ptr<Family> family) {
  std::lock_guard lock(m_families_mutex);
  auto it = m_families.find(family->name);
  if (it != m_families.end()) {
    const Family& old = *it->second;
    const bool same_bounds = (!old.bounds && !family->bounds) ||
                             (old.bounds && family->bounds && *old.bounds == *family->bounds);
    if (old.type != family->type || old.help != family->help ||
        old.label_names != family->label_names || !same_bounds) {
      throw std::invalid_argument("metric " + family->name + " is already registered differently");
    }
    return it->second;
  }
  m_families.emplace(family->name, family);
  return family;
}

CounterFamily Registry::counter(const std::string& name, const std::string& help,
                                const std::vector<std::string>& label_names) {
  CounterFamily f(add_family(make_family(name, help, FamilyType::counter, label_names)));
  if (label_names.empty()) f.labels();
  return f;
}

GaugeFamily Registry::gauge(const std::string& name, const std::string& help,
                            const std::vector<std::string>& label_names) {
  GaugeFamily f(add_family(make_family(name, help, FamilyType::gauge, label_names)));
  if (label_names.empty()) f.labels();
  return f;
}

HistogramFamily Registry::histogram(const std::string& name, const std::string& help,
                                    const std::vector<double>& upper_bounds,
                                    const std::vector<std::string>& label_names) {
  if (upper_bounds.empty()) throw std::invalid_argument("histogram " + name + " needs bounds");
  for (std::size_t i = 0; i < upper_bounds.size(); ++i) {
    if (!std::isfinite(upper_bounds[i]) || (i > 0 && upper_bounds[i] <= upper_bounds[i - 1])) {
      throw std::invalid_argument("histogram " + name +
                                  " bounds must be finite and strictly increasing");
    }
  }
  auto family = make_family(name, help, FamilyType::histogram, label_names);
  family->bounds = std::make_shared<const std::vector<double>>(upper_bounds);
  HistogramFamily f(add_family(std::move(family)));
  if (label_names.empty()) f.labels();
  return f;
}

CollectorId Registry::add_collector(std::function<void()> collector) {
  std::lock_guard lock(m_collectors_mutex);
  const CollectorId id = m_next_collector++;
  m_collectors.emplace_back(id, std::move(collector));
  return id;
}

void Registry::remove_collector(CollectorId id) {
  std::lock_guard lock(m_collectors_mutex);
  std::erase_if(m_collectors, [id](const auto& entry) { return entry.first == id; });
}

std::string Registry::render() {
  {
    std::lock_guard lock(m_collectors_mutex);
    for (const auto& [id, collector] : m_collectors) {
      try {
        collector();
      } catch (const std::exception& e) {
        spdlog::warn("metrics collector {} failed: {}", id, e.what());
      } catch (...) {
        spdlog::warn("metrics collector {} failed", id);
      }
    }
  }
  std::vector<std::shared_ptr<Family>> families;
  {
    std::lock_guard lock(m_families_mutex);
    families.reserve(m_families.size());
    for (const auto& [name, family] : m_families) families.push_back(family);
  }
  std::string out;
  for (const auto& family : families) render_family(*family, out);
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_metric_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Integers up to 2^53 print exactly and without a fraction or exponent.
  if (v == std::trunc(v) && std::fabs(v) <= 9007199254740992.0) {
    return std::to_string(static_cast<std::int64_t>(v));
  }
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  if (ec != std::errc{}) return "NaN";  // cannot happen with 32 bytes
  return std::string(buffer, end);
}

}  // namespace driftd::util
