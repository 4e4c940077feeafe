-- 0003 references: the reference (training-data) distributions drift is scored against,
-- per model version, with their history. docs/drift.md ("References") and docs/storage.md
-- explain the columns. Times are Unix milliseconds (UTC) in INTEGER columns.

-- One row per reference ever built. The newest one of a model version is active (it
-- replaces the previous, which stays for history with active = 0).
CREATE TABLE drift_references (
  id               INTEGER PRIMARY KEY,
  model_version    TEXT    NOT NULL CHECK (length(model_version) BETWEEN 1 AND 64),
  created          INTEGER NOT NULL,
  -- 'import:<paths>', 'pull:project <id>' or 'retrain:<run id>'
  source           TEXT    NOT NULL CHECK (length(source) BETWEEN 1 AND 1000),
  active           INTEGER NOT NULL CHECK (active IN (0, 1)),
  windows          INTEGER NOT NULL CHECK (windows > 0),
  clips            INTEGER NOT NULL CHECK (clips > 0),
  bins             INTEGER NOT NULL CHECK (bins BETWEEN 2 AND 1000),
  -- JSON array of the feature names, in the order of the edges and counts
  feature_names    TEXT    NOT NULL,
  -- JSON array (one per feature) of arrays of bins - 1 edges; numbers in the shortest
  -- form that reads back to the same double, so edges round-trip bit for bit
  edges            TEXT    NOT NULL,
  -- drift::SampleCounts::to_bytes() of the reference windows over those edges
  counts           BLOB    NOT NULL,
  -- the prediction reference: JSON object label -> windows (the training labels), and how
  -- many of those make one independent observation (windows per labelled clip)
  label_counts     TEXT    NOT NULL DEFAULT '{}',
  results_per_unit REAL    NOT NULL DEFAULT 1 CHECK (results_per_unit > 0)
);

-- At most one active reference per model version.
CREATE UNIQUE INDEX drift_references_one_active ON drift_references (model_version)
  WHERE active = 1;
CREATE INDEX drift_references_by_model ON drift_references (model_version, created);
CREATE INDEX drift_references_by_created ON drift_references (created, id);
