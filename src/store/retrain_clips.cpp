#include "driftd/store/retrain_clips.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <set>

#include "driftd/store/clips.hpp"
#include "driftd/store/store.hpp"

namespace driftd::store {

namespace {

// The listed clips of `run_id` that are pinned by it now.
std::set<std::string> pinned_by_run(WriteTxn& txn, const std::string& run_id) {
  SQLite::Statement& query =
      txn.prepare("SELECT clip_id FROM clips WHERE pinned_by = ? AND evicted_at IS NULL");
  query.bind(1, run_id);
  std::set<std::string> pinned;
  while (query.executeStep()) pinned.insert(query.getColumn(0).getString());
  return pinned;
}

}  // namespace

Result<std::int64_t> record_run_clips(Store& store, const std::vector<RunClip>& clips,
                                      const RunChange& change) {
  std::vector<std::string> ids;
  ids.reserve(clips.size());
  for (const RunClip& c : clips) ids.push_back(c.clip_id);
  return store.writer().run([&](WriteTxn& txn) -> Result<std::int64_t> {
    const std::int64_t pinned = pin_clips(txn, change.run_id, ids);
    const std::set<std::string> kept = pinned_by_run(txn, change.run_id);
    SQLite::Statement& insert = txn.prepare(
        "INSERT INTO retrain_run_clips (run_id, clip_id, batch, position, device_id, label, file, "
        "outcome, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const RunClip& c : clips) {
      insert.reset();
      insert.bind(1, change.run_id);
      insert.bind(2, c.clip_id);
      insert.bind(3, c.batch);
      insert.bind(4, c.position);
      insert.bind(5, c.device_id);
      if (c.label) {
        insert.bind(6, *c.label);
      } else {
        insert.bind(6);
      }
      insert.bind(7, c.file);
      if (kept.contains(c.clip_id)) {
        insert.bind(8);
        insert.bind(9);
      } else {
        insert.bind(8, "missing");
        insert.bind(9, "evicted before the upload");
      }
      insert.exec();
    }
    if (Status applied = apply_run_change(txn, change); !applied) return applied.error();
    return pinned;
  });
}

Result<std::vector<RunClip>> run_clips(Store& store, const std::string& run_id) {
  return store.read([&](Connection& c) -> Result<std::vector<RunClip>> {
    SQLite::Statement& query = c.prepare(
        "SELECT clip_id, batch, position, device_id, label, file, outcome, detail "
        "FROM retrain_run_clips WHERE run_id = ? ORDER BY batch, position");
    query.bind(1, run_id);
    std::vector<RunClip> clips;
    while (query.executeStep()) {
      RunClip clip;
      clip.clip_id = query.getColumn(0).getString();
      clip.batch = query.getColumn(1).getInt();
      clip.position = query.getColumn(2).getInt();
      clip.device_id = query.getColumn(3).getString();
      if (!query.getColumn(4).isNull()) clip.label = query.getColumn(4).getString();
      clip.file = query.getColumn(5).getString();
      if (!query.getColumn(6).isNull()) clip.outcome = query.getColumn(6).getString();
      if (!query.getColumn(7).isNull()) clip.detail = query.getColumn(7).getString();
      clips.push_back(std::move(clip));
    }
    return clips;
  });
}

void set_clip_outcomes(WriteTxn& txn, const std::string& run_id,
                       const std::vector<ClipOutcome>& outcomes) {
  SQLite::Statement& update = txn.prepare(
      "UPDATE retrain_run_clips SET outcome = ?, detail = ? WHERE run_id = ? AND clip_id = ?");
  for (const ClipOutcome& o : outcomes) {
    update.reset();
    update.bind(1, o.outcome);
    update.bind(2, o.detail);
    update.bind(3, run_id);
    update.bind(4, o.clip_id);
    update.exec();
  }
}

void release_run_clips(WriteTxn& txn, const std::string& run_id) {
  unpin_clips(txn, run_id);
}

}  // namespace driftd::store
