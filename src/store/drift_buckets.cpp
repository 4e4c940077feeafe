// Accumulating windows and results into drift buckets, and reading one window's buckets.

#include "driftd/store/drift_buckets.hpp"
#include "chunked_delete.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <tuple>
#include <utility>

#include "driftd/drift/live_window.hpp"
#include "driftd/store/errors.hpp"
#include "driftd/store/results.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/windows.hpp"

namespace driftd::store {

namespace {

std::span<const std::uint8_t> blob_of(const SQLite::Column& column) {
  if (column.isNull()) return {};
  return {static_cast<const std::uint8_t*>(column.getBlob()),
          static_cast<std::size_t>(column.getBytes())};
}

// The window side of a bucket row, if the row exists.
struct WindowSide {
  std::int64_t id = 0;
  std::int64_t epoch = 0;
  std::int64_t windows = 0;
  std::int64_t clips = 0;
  std::vector<std::uint8_t> counts;  // empty when NULL
};

std::optional<WindowSide> read_window_side(WriteTxn& txn, const std::string& model_version,
                                           util::UnixMs bucket, const std::string& device_id) {
  SQLite::Statement& select = txn.prepare(
      "SELECT id, epoch, windows, clips, counts FROM drift_buckets "
      "WHERE model_version = ? AND bucket_start = ? AND device_id = ?");
  select.bind(1, model_version);
  select.bind(2, static_cast<std::int64_t>(bucket));
  select.bind(3, device_id);
  if (!select.executeStep()) return std::nullopt;
  WindowSide side;
  side.id = select.getColumn(0).getInt64();
  side.epoch = select.getColumn(1).getInt64();
  side.windows = select.getColumn(2).getInt64();
  side.clips = select.getColumn(3).getInt64();
  const auto counts = blob_of(select.getColumn(4));
  side.counts.assign(counts.begin(), counts.end());
  select.reset();
  return side;
}

Error corrupt_bucket(std::int64_t id, const Error& error) {
  return make_error(k_error_internal,
                    "drift bucket " + std::to_string(id) + " is corrupt: " + error.message);
}

// A result group: one bucket's share of a batch.
struct PredictionGroup {
  stats::LabelCounts labels;
  std::int64_t results = 0;
  double sum = 0;
  double sum_squares = 0;
};

void add_predictions(WriteTxn& txn, const std::string& model_version, util::UnixMs bucket,
                     const std::string& device_id, const PredictionGroup& group) {
  SQLite::Statement& select = txn.prepare(
      "SELECT id, labels FROM drift_buckets "
      "WHERE model_version = ? AND bucket_start = ? AND device_id = ?");
  select.bind(1, model_version);
  select.bind(2, static_cast<std::int64_t>(bucket));
  select.bind(3, device_id);
  stats::LabelCounts labels = group.labels;
  std::optional<std::int64_t> id;
  if (select.executeStep()) {
    id = select.getColumn(0).getInt64();
    const auto stored = blob_of(select.getColumn(1));
    if (!stored.empty()) {
      if (Status read = drift::add_label_bytes(labels, stored); !read) {
        throw std::runtime_error("drift bucket " + std::to_string(*id) +
                                 " has unreadable labels: " + read.error().message);
      }
    }
  }
  select.reset();
  const std::vector<std::uint8_t> blob = drift::labels_to_bytes(labels);
  SQLite::Statement& write =
      id ? txn.prepare(
               "UPDATE drift_buckets SET results = results + ?1, labels = ?2, "
               "confidence_sum = confidence_sum + ?3, "
               "confidence_sum_sq = confidence_sum_sq + ?4 WHERE id = ?5")
         : txn.prepare(
               "INSERT INTO drift_buckets (results, labels, confidence_sum, "
               "confidence_sum_sq, model_version, bucket_start, device_id) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  write.bind(1, group.results);
  write.bind(2, blob.data(), static_cast<int>(blob.size()));
  write.bind(3, group.sum);
  write.bind(4, group.sum_squares);
  if (id) {
    write.bind(5, *id);
  } else {
    write.bind(5, model_version);
    write.bind(6, static_cast<std::int64_t>(bucket));
    write.bind(7, device_id);
  }
  write.exec();
}

}  // namespace

Status add_unit(WriteTxn& txn, const BinningState& state, const drift::Reference* reference,
                const EngineSettings& settings, const BucketUnit& unit) {
  if (unit.windows.empty()) return Ok{};
  const util::UnixMs bucket = drift::bucket_start(unit.timestamp, settings.bucket_ms);
  const auto row = read_window_side(txn, state.model_version, bucket, unit.device_id);
  const bool same_epoch = row && row->epoch == state.epoch;
  std::vector<std::uint8_t> blob;
  if (reference != nullptr) {
    drift::SampleCounts sample = drift::empty_sample(*reference);
    if (same_epoch && !row->counts.empty()) {
      auto stored = drift::from_compact_bytes(row->counts);
      if (!stored) return corrupt_bucket(row->id, stored.error());
      sample = std::move(stored).value();
    }
    if (Status added = drift::add_clip(sample, *reference, unit.windows, settings.geometry);
        !added) {
      return added;
    }
    blob = drift::to_compact_bytes(sample);
  }
  const std::int64_t windows =
      (same_epoch ? row->windows : 0) + static_cast<std::int64_t>(unit.windows.size());
  const std::int64_t clips = (same_epoch ? row->clips : 0) + 1;
  SQLite::Statement& write =
      row ? txn.prepare(
                "UPDATE drift_buckets SET epoch = ?1, reference_id = ?2, windows = ?3, "
                "clips = ?4, counts = ?5 WHERE id = ?6")
          : txn.prepare(
                "INSERT INTO drift_buckets (epoch, reference_id, windows, clips, counts, "
                "model_version, bucket_start, device_id) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  write.bind(1, state.epoch);
  write.bind(2, reference != nullptr ? state.reference_id : std::int64_t{0});
  write.bind(3, windows);
  write.bind(4, clips);
  if (reference != nullptr) {
    write.bind(5, blob.data(), static_cast<int>(blob.size()));
  } else {
    write.bind(5);
  }
  if (row) {
    write.bind(6, row->id);
  } else {
    write.bind(6, state.model_version);
    write.bind(7, static_cast<std::int64_t>(bucket));
    write.bind(8, unit.device_id);
  }
  write.exec();
  return Ok{};
}

Status accumulate_windows(WriteTxn& txn, const WindowBatch& batch) {
  if (batch.windows.empty()) return Ok{};
  BucketUnit unit;
  unit.device_id = batch.device_id;
  unit.timestamp = batch.windows.front().timestamp;
  util::UnixMs earliest = unit.timestamp;
  unit.windows.reserve(batch.windows.size());
  for (const auto& w : batch.windows) {
    unit.windows.push_back(w.values);
    earliest = std::min(earliest, w.timestamp);
  }
  const BinningState state =
      ensure_binning(txn, batch.model_version, unit.windows.front().size(), earliest);
  BinningCache& cache = txn.connection().attachment<BinningCache>();
  const auto reference = cache.reference(txn.connection(), state.reference_id);
  return add_unit(txn, state, reference.get(), cache.settings(), unit);
}

void note_result_versions(WriteTxn& txn, std::span<const ResultPrediction> results) {
  std::map<std::string_view, util::UnixMs> earliest;
  for (const auto& r : results) {
    auto [it, inserted] = earliest.try_emplace(r.model_version, r.timestamp);
    if (!inserted) it->second = std::min(it->second, r.timestamp);
  }
  for (const auto& [version, at] : earliest) ensure_binning(txn, version, 0, at);
}

void accumulate_results(WriteTxn& txn, std::span<const ResultPrediction> results) {
  if (results.empty()) return;
  note_result_versions(txn, results);
  const std::int64_t bucket_ms = txn.connection().attachment<BinningCache>().settings().bucket_ms;
  using Key = std::tuple<std::string_view, std::string_view, util::UnixMs>;
  std::map<Key, PredictionGroup> groups;
  for (const auto& r : results) {
    PredictionGroup& g =
        groups[Key{r.model_version, r.device_id, drift::bucket_start(r.timestamp, bucket_ms)}];
    auto it = g.labels.find(r.label);
    if (it == g.labels.end()) it = g.labels.emplace(std::string(r.label), 0).first;
    ++it->second;
    ++g.results;
    g.sum += r.confidence;
    g.sum_squares += r.confidence * r.confidence;
  }
  for (const auto& [key, group] : groups) {
    add_predictions(txn, std::string(std::get<0>(key)), std::get<2>(key),
                    std::string(std::get<1>(key)), group);
  }
}

Result<WindowBuckets> read_buckets(Store& store, const BucketQuery& query) {
  (void)sync_result_aggregates(store);  // when it fails, the buckets as last synced
  return store.read([&](Connection& c) -> Result<WindowBuckets> {
    constexpr const char* k_select =
        "SELECT device_id, epoch, windows, clips, counts, results, labels, confidence_sum, "
        "confidence_sum_sq, id FROM drift_buckets "
        "WHERE model_version = ?1 AND bucket_start >= ?2 AND bucket_start <= ?3";
    SQLite::Statement& select = query.device_id
                                    ? c.prepare(std::string(k_select) + " AND device_id = ?4")
                                    : c.prepare(k_select);
    select.bind(1, query.model_version);
    select.bind(2, static_cast<std::int64_t>(query.first_start));
    select.bind(3, static_cast<std::int64_t>(query.last_start));
    if (query.device_id) select.bind(4, *query.device_id);
    std::map<std::string, DeviceBuckets, std::less<>> devices;
    std::vector<drift::LabelCount> labels;
    WindowBuckets out;
    // Rows come in index order, every bucket's devices sorted: the device after the
    // previous row's is usually the next row's, so it is tried before a search.
    auto next = devices.end();
    while (select.executeStep()) {
      ++out.rows_read;
      const std::string_view device(select.getColumn(0).getText());
      auto it = next != devices.end() && next->first == device ? next : devices.find(device);
      if (it == devices.end()) {
        it = devices.emplace(std::string(device), DeviceBuckets{}).first;
        it->second.device_id = it->first;
      }
      next = std::next(it);
      DeviceBuckets& d = it->second;
      const std::int64_t id = select.getColumn(9).getInt64();
      if (select.getColumn(1).getInt64() == query.epoch) {
        d.windows += select.getColumn(2).getInt64();
        d.clips += select.getColumn(3).getInt64();
        const auto counts = blob_of(select.getColumn(4));
        if (!counts.empty()) {
          if (Status added = d.counts.add_compact(counts); !added) {
            return corrupt_bucket(id, added.error());
          }
        }
      }
      const std::int64_t results = select.getColumn(5).getInt64();
      if (results > 0) {
        if (Status read = drift::read_label_bytes(blob_of(select.getColumn(6)), labels); !read) {
          return corrupt_bucket(id, read.error());
        }
        d.labels.add_cluster(labels);
        d.confidence +=
            stats::Moments{static_cast<std::uint64_t>(results), select.getColumn(7).getDouble(),
                           select.getColumn(8).getDouble()};
      }
    }
    out.devices.reserve(devices.size());
    for (auto& [device, buckets] : devices) out.devices.push_back(std::move(buckets));
    return out;
  });
}

Result<bool> has_buckets(Store& store, std::string_view model_version, util::UnixMs first_start,
                         util::UnixMs last_start) {
  (void)sync_result_aggregates(store);
  return store.read([&](Connection& c) -> Result<bool> {
    SQLite::Statement& select = c.prepare(
        "SELECT 1 FROM drift_buckets WHERE model_version = ? AND bucket_start >= ? AND "
        "bucket_start <= ? LIMIT 1");
    select.bind(1, std::string(model_version));
    select.bind(2, static_cast<std::int64_t>(first_start));
    select.bind(3, static_cast<std::int64_t>(last_start));
    return select.executeStep();
  });
}

Result<std::optional<util::UnixMs>> first_results_bucket(Store& store,
                                                         std::string_view model_version) {
  (void)sync_result_aggregates(store);
  return store.read([&](Connection& c) -> Result<std::optional<util::UnixMs>> {
    SQLite::Statement& select = c.prepare(
        "SELECT bucket_start FROM drift_buckets WHERE model_version = ? AND results > 0 "
        "ORDER BY bucket_start LIMIT 1");
    select.bind(1, std::string(model_version));
    if (!select.executeStep()) return std::optional<util::UnixMs>{};
    return std::optional<util::UnixMs>(select.getColumn(0).getInt64());
  });
}

Result<std::int64_t> delete_buckets_before(Store& store, util::UnixMs cutoff,
                                           std::int64_t batch_rows) {
  return delete_in_chunks(store,
                          "DELETE FROM drift_buckets WHERE id IN "
                          "(SELECT id FROM drift_buckets WHERE bucket_start < ?1 LIMIT ?2)",
                          cutoff, batch_rows);
}

}  // namespace driftd::store
