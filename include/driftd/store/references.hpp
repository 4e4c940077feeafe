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

// Which references list_references() returns.
enum class ReferenceListing { active, all };

// References without their statistics, newest first (created, then id, descending):
// one per model version (the active ones) or every one ever saved.
Result<std::vector<ReferenceInfo>> list_references(
    Store& store, ReferenceListing which = ReferenceListing::active);

}  // namespace driftd::store
