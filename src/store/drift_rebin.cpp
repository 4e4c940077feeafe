// Re-binning stored windows after a change of reference, batch by batch.

#include "driftd/store/drift_rebin.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <utility>

#include "driftd/store/errors.hpp"
#include "driftd/store/store.hpp"
#include "driftd/store/windows.hpp"

namespace driftd::store {

namespace {

// What makes consecutive window rows one unit: the same clip, or the same device's
// windows at one timestamp (a result's device windows), of one model version.
struct UnitKey {
  std::string model_version;
  bool from_clip = false;
  std::string clip_or_device;
  util::UnixMs timestamp = 0;  // device windows only

  bool operator==(const UnitKey&) const = default;
};

constexpr const char* k_row_columns =
    "SELECT id, model_version, device_id, timestamp_ms, source, clip_id, features "
    "FROM window_features ";

struct WindowRow {
  std::int64_t id = 0;
  UnitKey key;
  std::string device_id;
  util::UnixMs timestamp = 0;
  std::optional<std::vector<double>> values;
};

WindowRow row_from(SQLite::Statement& row) {
  WindowRow w;
  w.id = row.getColumn(0).getInt64();
  w.key.model_version = row.getColumn(1).getString();
  w.device_id = row.getColumn(2).getString();
  w.timestamp = row.getColumn(3).getInt64();
  w.key.from_clip = row.getColumn(4).getString() == "clip";
  if (w.key.from_clip) {
    w.key.clip_or_device = row.getColumn(5).getString();
  } else {
    w.key.clip_or_device = w.device_id;
    w.key.timestamp = w.timestamp;
  }
  const SQLite::Column blob = row.getColumn(6);
  w.values = decode_feature_blob(std::string_view(static_cast<const char*>(blob.getBlob()),
                                                  static_cast<std::size_t>(blob.getBytes())));
  return w;
}

std::optional<WindowRow> row_by_id(WriteTxn& txn, const char* where, std::int64_t id) {
  SQLite::Statement& select = txn.prepare(std::string(k_row_columns) + where);
  select.bind(1, id);
  if (!select.executeStep()) return std::nullopt;
  WindowRow row = row_from(select);
  select.reset();
  return row;
}

// The cursor before the first whole unit at or after window `first_id`: when the window
// before it belongs to the same unit, that unit started earlier (before `from`) and is
// skipped.
std::int64_t start_cursor(WriteTxn& txn, std::int64_t first_id, std::int64_t upto) {
  const auto first = row_by_id(txn, "WHERE id = ?", first_id);
  const auto before = row_by_id(txn, "WHERE id < ? ORDER BY id DESC LIMIT 1", first_id);
  if (!first || !before || !(before->key == first->key)) return first_id - 1;
  std::int64_t cursor = first_id;
  while (cursor < upto) {
    const auto next = row_by_id(txn, "WHERE id > ? ORDER BY id LIMIT 1", cursor);
    if (!next || !(next->key == first->key) || next->id > upto) break;
    cursor = next->id;
  }
  return cursor;
}

void save_progress(WriteTxn& txn, const BinningState& state) {
  SQLite::Statement& update = txn.prepare(
      "UPDATE drift_model_versions SET rebin_pending = ?, rebin_from = ?, rebin_cursor = ? "
      "WHERE model_version = ?");
  update.bind(1, state.rebin_pending ? 1 : 0);
  if (state.rebin_from) {
    update.bind(2, static_cast<std::int64_t>(*state.rebin_from));
  } else {
    update.bind(2);
  }
  if (state.rebin_cursor) {
    update.bind(3, *state.rebin_cursor);
  } else {
    update.bind(3);
  }
  update.bind(4, state.model_version);
  update.exec();
}

// The state row as this write job sees it.
std::optional<BinningState> current_state(WriteTxn& txn, const std::string& model_version) {
  SQLite::Statement& select = txn.prepare(
      "SELECT epoch, rebin_pending, rebin_from, rebin_cursor, switched_at_id, reference_id, "
      "width, first_seen_ms FROM drift_model_versions WHERE model_version = ?");
  select.bind(1, model_version);
  if (!select.executeStep()) return std::nullopt;
  BinningState s;
  s.model_version = model_version;
  s.epoch = select.getColumn(0).getInt64();
  s.rebin_pending = select.getColumn(1).getInt() != 0;
  if (!select.getColumn(2).isNull()) s.rebin_from = select.getColumn(2).getInt64();
  if (!select.getColumn(3).isNull()) s.rebin_cursor = select.getColumn(3).getInt64();
  s.switched_at_id = select.getColumn(4).getInt64();
  s.reference_id = select.getColumn(5).getInt64();
  s.width = static_cast<std::size_t>(select.getColumn(6).getInt64());
  s.first_seen = select.getColumn(7).getInt64();
  select.reset();
  return s;
}

}  // namespace

Result<BinningState> start_rebin(Store& store, const BinningState& state, util::UnixMs from) {
  return store.writer().run([&](WriteTxn& txn) -> Result<BinningState> {
    auto now = current_state(txn, state.model_version);
    if (!now) return make_error(k_error_not_found, "no drift state for this model version");
    if (now->epoch != state.epoch || !now->rebin_pending || now->rebin_from) return *now;
    SQLite::Statement& first = txn.prepare(
        "SELECT min(id) FROM window_features WHERE model_version = ? AND timestamp_ms >= ? "
        "AND id <= ?");
    first.bind(1, now->model_version);
    first.bind(2, static_cast<std::int64_t>(from));
    first.bind(3, now->switched_at_id);
    const bool found = first.executeStep() && !first.getColumn(0).isNull();
    const std::int64_t first_id = found ? first.getColumn(0).getInt64() : 0;
    first.reset();
    now->rebin_from = from;
    if (!found) {
      now->rebin_pending = false;
      now->rebin_cursor = now->switched_at_id;
    } else {
      now->rebin_cursor = start_cursor(txn, first_id, now->switched_at_id);
      now->rebin_pending = *now->rebin_cursor < now->switched_at_id;
    }
    save_progress(txn, *now);
    return *now;
  });
}

Result<RebinBatch> read_rebin_batch(Store& store, const BinningState& state,
                                    std::size_t max_windows) {
  if (!state.rebin_pending || !state.rebin_from || !state.rebin_cursor) {
    return make_error(k_error_invalid, "the re-binning of this model version has not started");
  }
  return store.read([&](Connection& c) -> Result<RebinBatch> {
    RebinBatch batch;
    batch.model_version = state.model_version;
    batch.epoch = state.epoch;
    batch.from_cursor = *state.rebin_cursor;
    SQLite::Statement& select =
        c.prepare(std::string(k_row_columns) + "WHERE id > ? AND id <= ? ORDER BY id");
    select.bind(1, *state.rebin_cursor);
    select.bind(2, state.switched_at_id);
    std::optional<UnitKey> key;
    BucketUnit unit;
    std::int64_t last_id = *state.rebin_cursor;
    std::size_t rows = 0;
    const auto finish_unit = [&] {
      if (key && key->model_version == state.model_version && unit.timestamp >= *state.rebin_from &&
          !unit.windows.empty()) {
        batch.windows += static_cast<std::int64_t>(unit.windows.size());
        batch.units.push_back(std::move(unit));
      }
      unit = BucketUnit{};
      batch.to_cursor = last_id;
    };
    batch.to_cursor = last_id;
    bool stopped = false;
    while (select.executeStep()) {
      WindowRow row = row_from(select);
      if (!key || !(row.key == *key)) {
        if (key) finish_unit();
        if (static_cast<std::size_t>(batch.windows) >= max_windows || rows >= 4 * max_windows) {
          stopped = true;
          break;
        }
        key = row.key;
        unit.device_id = row.device_id;
        unit.timestamp = row.timestamp;
      }
      ++rows;
      last_id = row.id;
      if (row.values) unit.windows.push_back(std::move(*row.values));
    }
    if (!stopped) {
      finish_unit();
      batch.to_cursor = state.switched_at_id;
      batch.last = true;
    }
    return batch;
  });
}

Result<std::optional<BinningState>> apply_rebin_batch(Store& store, const RebinBatch& batch) {
  return store.writer().run([&](WriteTxn& txn) -> Result<std::optional<BinningState>> {
    auto now = current_state(txn, batch.model_version);
    if (!now || now->epoch != batch.epoch || !now->rebin_pending ||
        now->rebin_cursor != batch.from_cursor) {
      return std::optional<BinningState>{};
    }
    BinningCache& cache = txn.connection().attachment<BinningCache>();
    cache.refresh(txn.connection());
    const auto reference = cache.reference(txn.connection(), now->reference_id);
    for (const auto& unit : batch.units) {
      if (Status added = add_unit(txn, *now, reference.get(), cache.settings(), unit); !added) {
        return added.error();
      }
    }
    now->rebin_cursor = batch.to_cursor;
    now->rebin_pending = !batch.last;
    save_progress(txn, *now);
    return std::optional<BinningState>(*now);
  });
}

Result<RebinProgress> rebin_model_version(Store& store, std::string_view model_version,
                                          util::UnixMs from, std::size_t max_batches,
                                          std::size_t batch_windows) {
  RebinProgress progress;
  auto found = find_binning_state(store, model_version);
  if (!found) return found.error();
  if (!*found || !(*found)->rebin_pending) {
    progress.done = true;
    return progress;
  }
  auto state = start_rebin(store, **found, from);
  if (!state) return state.error();
  BinningState current = std::move(state).value();
  while (current.rebin_pending && static_cast<std::size_t>(progress.batches) < max_batches) {
    auto batch = read_rebin_batch(store, current, batch_windows);
    if (!batch) return batch.error();
    auto applied = apply_rebin_batch(store, *batch);
    if (!applied) return applied.error();
    ++progress.batches;
    if (!*applied) break;  // the state moved on: the caller starts again
    progress.windows += batch->windows;
    current = **applied;
  }
  progress.done = !current.rebin_pending;
  return progress;
}

}  // namespace driftd::store
