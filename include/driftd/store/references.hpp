#pragma once
// References as the store keeps them (migration 0003, table drift_references): the frozen
// bins, reference histograms and prediction reference of a model version, built by
// `driftd baseline import`, `driftd baseline pull` or after a retrain, with their history.
//
// A model version has at most one active reference: saving a new one deactivates the
// previous one in the same transaction (it stays, inactive, as history). Edges are stored
// so that they read back bit for bit; the histograms as drift::SampleCounts::to_bytes().
// docs/drift.md ("References") says how the drift engine chooses one.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "driftd/drift/effective_size.hpp"
#include "driftd/drift/reference.hpp"
#include "driftd/stats/categorical.hpp"
#include "driftd/store/connection.hpp"
#include "driftd/util/result.hpp"
#include "driftd/util/time.hpp"

namespace driftd::store {

class Store;

// The longest `source` text kept (longer ones are refused).
inline constexpr std::size_t k_max_reference_source = 1000;

// A reference's row without its statistics: what GET /api/v1/baselines shows and more.
struct ReferenceInfo {
  std::int64_t id = 0;
  std::string model_version;
  util::UnixMs created = 0;
  std::string source;  // "import:<paths>", "pull:project <id>", "retrain:<run id>"
  bool active = false;
  std::int64_t windows = 0;
  std::int64_t clips = 0;
  int bins = 0;
  std::vector<std::string> feature_names;
  stats::LabelCounts labels;  // windows per training label
};

// A reference read back whole.
struct StoredReference {
  ReferenceInfo info;
  drift::Reference reference;  // predictions: the training labels, no confidences
};

// A reference checked and serialised, ready for insert_reference() inside a write job.
struct ReferenceRow {
  std::string model_version;
  util::UnixMs created = 0;
  std::string source;
  std::int64_t windows = 0;
  std::int64_t clips = 0;
  int bins = 0;
  std::string feature_names;  // JSON
  std::string edges;          // JSON
  std::vector<std::uint8_t> counts;
  std::string label_counts;  // JSON
  double results_per_unit = 1;
};

// Checks and serialises a reference. Refuses (invalid_argument, with `field`): an invalid
// model version (ids.hpp rule), an empty or over-long source, a reference without windows,
// whose counts are not shaped like its features (names, bins − 1 edges each, ascending and
// finite), or whose results_per_unit is not positive.
Result<ReferenceRow> prepare_reference(std::string_view model_version, std::string_view source,
                                       const drift::Reference& reference, util::UnixMs created);

// Inside a write job: deactivates the model version's active reference (if any) and
// inserts `row` as the active one; its id. Throws on SQLite errors.
Result<std::int64_t> insert_reference(WriteTxn& txn, const ReferenceRow& row);

// prepare_reference() then insert_reference() as one write job: the new reference and the
// deactivation of the previous one commit together or not at all. Its id.
Result<std::int64_t> save_reference(Store& store, std::string_view model_version,
                                    std::string_view source, const drift::Reference& reference,
                                    util::UnixMs created);

// The active reference of `model_version`; nothing when it has none. A row that does not
// decode is a storage_error naming its id.
Result<std::optional<StoredReference>> load_active_reference(Store& store,
                                                             std::string_view model_version);

// The reference with this id, active or not; nothing when there is none.
Result<std::optional<StoredReference>> load_reference(Store& store, std::int64_t id);

// The most recently created active reference of any model version (ties: the later
// saved): what a model version without a reference of its own is scored against. Nothing
// when there is no reference at all.
Result<std::optional<StoredReference>> newest_reference(Store& store);

// The same three reads on a connection the caller already holds (a read connection, or the
// writer's inside a write job); they throw on SQLite errors instead of returning them.
Result<std::optional<StoredReference>> load_active_reference(Connection& connection,
                                                             std::string_view model_version);
Result<std::optional<StoredReference>> load_reference(Connection& connection, std::int64_t id);
Result<std::optional<StoredReference>> newest_reference(Connection& connection);

// A retrain run's successor reference: once a run (not a dry run) succeeds, the reference
// its model version V was scored against — V's active reference, else the one V's windows
// are binned with — extended by the windows of the clips the run uploaded, binned with the
// same frozen edges, and by their upload labels. It is stored under the model version
// "retrain:<run id>" (no device reports it, so V keeps its own reference) with the source
// "retrain:<run id>", and as the newest reference it is what an unknown model version — the
// retrained model the dispatch deploys — falls back to; the drift engine then adopts it
// as that version's own (adopt_reference()). docs/drift.md, "References".
std::string successor_model_version(std::string_view run_id);
std::string successor_source(std::string_view run_id);
// Whether `source` names a successor reference ("retrain:...").
bool is_successor_source(std::string_view source);

// What save_successor_reference() did.
struct SuccessorOutcome {
  std::optional<std::int64_t> id;  // the successor reference (saved now or before)
  bool saved = false;              // saved by this call
  std::int64_t clips = 0;          // uploaded clips whose windows were added
  std::int64_t windows = 0;        // windows added
  std::string detail;              // a sentence for the run's step log; empty: nothing to say
};

// Inside a write job: derives and saves the successor reference of retrain run `run_id`,
// `created` at the given time. Clips count as uploaded when their outcome is "stored" or
// "duplicate"; their windows are read from window_features and binned with `geometry`; a
// clip's windows count towards its upload label (none: unlabeled), and results_per_unit
// becomes labelled windows / labelled clips over the base and the added clips. Idempotent,
// keyed by the source: when a reference with that source exists nothing is saved and its
// id is returned. Saves nothing, saying why in `detail`, for a dry run, an unknown run or
// a model version without any reference. Throws on SQLite errors.
SuccessorOutcome save_successor_reference(WriteTxn& txn, std::string_view run_id,
                                          drift::WindowGeometry geometry, util::UnixMs created);

// In one write job: when `model_version` has no active reference, saves a copy of
// reference `reference_id` (same statistics, source and creation time) as its active one
// and returns the copy's id; nothing when the version has a reference of its own by then
// or `reference_id` does not exist.
Result<std::optional<std::int64_t>> adopt_reference(Store& store, std::string_view model_version,
                                                    std::int64_t reference_id);

// Which references list_references() returns.
enum class ReferenceListing { active, all };

// References without their statistics, newest first (created, then id, descending):
// one per model version (the active ones) or every one ever saved.
Result<std::vector<ReferenceInfo>> list_references(
    Store& store, ReferenceListing which = ReferenceListing::active);

}  // namespace driftd::store
