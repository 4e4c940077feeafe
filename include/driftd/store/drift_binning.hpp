#pragma once
// Which reference the windows of a model version are binned with (migration 0005, table
// drift_model_versions), and the cache that answers it inside write jobs without reading
// references again and again.
//
// The applicable reference of a model version is its own active reference, else the
// newest active reference of any other version (created, then id) — "the newest reference
// it can be scored against" — as long as its feature count matches the windows'. Every
// change of the applicable reference (a first or new reference, a fallback replaced)
// starts a new binning epoch: windows from then on are binned with the new reference, and
// the windows stored before are re-binned (drift_rebin.hpp), so that the buckets of one
// evaluation always share one reference. Bucket rows of an older epoch are reset when
// they are next written and never read into an evaluation.
//
// References are immutable once saved, so the cache keeps them by id; it notices a new
// reference (saved by this process or another one, e.g. `driftd baseline import`) by
// the largest reference id, read once per job.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/drift/effective_size.hpp"
#include "driftd/drift/reference.hpp"
#include "driftd/stats/categorical.hpp"
#include "driftd/stats/moments.hpp"
#include "driftd/store/connection.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;

// An active reference as the binning sees it.
struct ActiveReference {
  std::int64_t id = 0;
  std::string model_version;
  util::UnixMs created = 0;
  std::size_t width = 0;  // features per window
};

// The applicable reference of `model_version` for windows of `width` features (above);
// nothing when none applies.
std::optional<ActiveReference> applicable_reference(std::span<const ActiveReference> active,
                                                    std::string_view model_version,
                                                    std::size_t width);

// The engine's settings shared by every writer (table drift_engine).
struct EngineSettings {
  std::int64_t bucket_ms = 3'600'000;
  drift::WindowGeometry geometry;
};

// Stores the settings (the daemon does so at start, from its config).
Status save_engine_settings(Store& store, const EngineSettings& settings);
Result<EngineSettings> load_engine_settings(Store& store);

// The binning state of one model version (a row of drift_model_versions).
struct BinningState {
  std::string model_version;
  util::UnixMs first_seen = 0;
  std::int64_t epoch = 1;
  std::int64_t reference_id = 0;    // 0: no reference applies
  std::size_t width = 0;            // features per window (0 before any window)
  std::int64_t switched_at_id = 0;  // windows with a larger id were binned as they came
  bool rebin_pending = false;
  std::optional<util::UnixMs> rebin_from;
  std::optional<std::int64_t> rebin_cursor;
};

// What a write job knows between jobs: the settings, the active references and the loaded
// references, refreshed when the largest reference id changes. Lives with the writer
// connection (Connection::attachment); only the writer thread uses it.
class BinningCache {
 public:
  // Reads the settings and brings the active list up to date (one small query when no
  // reference was saved since). Throws on SQLite errors.
  void refresh(Connection& connection);

  const EngineSettings& settings() const { return m_settings; }
  std::span<const ActiveReference> active() const { return m_active; }

  // The reference with this id, loaded on first use; nullptr when there is none (or it
  // cannot be decoded, which is logged).
  std::shared_ptr<const drift::Reference> reference(Connection& connection, std::int64_t id);

 private:
  std::optional<std::int64_t> m_max_reference_id;
  EngineSettings m_settings;
  std::vector<ActiveReference> m_active;
  std::map<std::int64_t, std::shared_ptr<const drift::Reference>> m_references;
};

// Inside a write job: the binning state of `model_version` for windows of `width`
// features (0: use the state's own width, e.g. when only results arrived), creating it or
// starting a new epoch when the applicable reference changed (re-binning pending when
// windows of the version are stored). `seen_at`, when given, lowers first_seen. Refreshes
// and uses the connection's BinningCache. Throws on SQLite errors.
BinningState ensure_binning(WriteTxn& txn, std::string_view model_version, std::size_t width,
                            std::optional<util::UnixMs> seen_at);

// ensure_binning() as its own write job.
Result<BinningState> ensure_binning(Store& store, std::string_view model_version,
                                    std::size_t width);

// The state of one model version, or nothing before any data of it.
Result<std::optional<BinningState>> find_binning_state(Store& store,
                                                       std::string_view model_version);

// Every model version the engine has seen, by name.
Result<std::vector<BinningState>> list_binning_states(Store& store);

// The active references (read side, for the evaluator).
Result<std::vector<ActiveReference>> active_references(Store& store);

// The prediction reference of a model version: its results in [from, to) — its first
// drift.window of results — frozen once that period has passed (docs/drift.md, "Live
// engine": the training labels' mix is not what a deployed model sees).
struct PredictionReference {
  util::UnixMs from = 0;
  util::UnixMs to = 0;
  stats::LabelCounts labels;
  stats::Moments confidence;
  double results_per_unit = 1;
};

// The frozen prediction reference of `model_version`; nothing before it is frozen.
Result<std::optional<PredictionReference>> load_prediction_reference(
    Store& store, std::string_view model_version);

// Freezes it (only once: a model version that has one keeps it). Returns the one stored.
Result<PredictionReference> save_prediction_reference(Store& store, std::string_view model_version,
                                                      const PredictionReference& reference);

// The largest reference id ever saved (0 without any): changes exactly when one is saved.
Result<std::int64_t> newest_reference_id(Store& store);

}  // namespace driftd::store
