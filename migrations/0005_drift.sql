-- 0005 drift: the live drift engine's pre-binned time buckets, the binning state of each
-- model version, stored evaluations and the episode state of each model version.
-- docs/drift.md ("Live engine") explains the design. Times are Unix milliseconds (UTC).

-- The engine's settings, written by the daemon at start from its config, so that every
-- write job bins with the same bucket length and window geometry.
CREATE TABLE drift_engine (
  id                 INTEGER PRIMARY KEY CHECK (id = 1),
  bucket_ms          INTEGER NOT NULL CHECK (bucket_ms >= 60000),
  window_ms          INTEGER NOT NULL CHECK (window_ms >= 1),
  window_increase_ms INTEGER NOT NULL
);
INSERT INTO drift_engine (id, bucket_ms, window_ms, window_increase_ms) VALUES (1, 3600000, 1000, 300);

-- One row per model version the engine has seen data of: which reference its windows are
-- binned with now (0: none applies), the binning epoch (raised on every change of
-- reference; bucket rows of another epoch hold stale histograms), the progress of the
-- re-binning that follows a change, and the frozen prediction reference.
CREATE TABLE drift_model_versions (
  model_version   TEXT    PRIMARY KEY CHECK (length(model_version) BETWEEN 1 AND 64),
  first_seen_ms   INTEGER NOT NULL,  -- earliest data timestamp seen for the version
  epoch           INTEGER NOT NULL CHECK (epoch >= 1),
  reference_id    INTEGER NOT NULL DEFAULT 0,  -- drift_references.id, 0 when none applies
  width           INTEGER NOT NULL CHECK (width >= 0),  -- features per window binned
  switched_at_id  INTEGER NOT NULL DEFAULT 0,  -- windows with a larger id were binned live
  rebin_pending   INTEGER NOT NULL DEFAULT 0 CHECK (rebin_pending IN (0, 1)),
  rebin_from      INTEGER,           -- oldest bucket start the re-binning covers
  rebin_cursor    INTEGER,           -- window_features.id re-binned up to (inclusive)
  -- The prediction reference: the version's first drift.window of results, frozen once
  -- that period has passed (labels blob, confidence moments, results per unit).
  prediction_ref_from   INTEGER,
  prediction_ref_to     INTEGER,
  prediction_ref_labels BLOB,
  prediction_ref_count  INTEGER,
  prediction_ref_sum    REAL,
  prediction_ref_sum_sq REAL,
  prediction_ref_per_unit REAL
);

-- One row per (model version, device, time bucket): the windows binned with the
-- reference of `epoch` (compact drift::SampleCounts blob) and the prediction statistics of
-- the results in the bucket. A clip belongs to the bucket of its first window.
CREATE TABLE drift_buckets (
  id             INTEGER PRIMARY KEY,
  model_version  TEXT    NOT NULL,
  bucket_start   INTEGER NOT NULL,
  device_id      TEXT    NOT NULL,
  epoch          INTEGER NOT NULL DEFAULT 0,  -- 0: no windows yet
  reference_id   INTEGER NOT NULL DEFAULT 0,
  windows        INTEGER NOT NULL DEFAULT 0 CHECK (windows >= 0),
  clips          INTEGER NOT NULL DEFAULT 0 CHECK (clips >= 0),
  counts         BLOB,                        -- NULL without a reference
  results        INTEGER NOT NULL DEFAULT 0 CHECK (results >= 0),
  labels         BLOB,                        -- compact label counts, NULL without results
  confidence_sum    REAL NOT NULL DEFAULT 0,
  confidence_sum_sq REAL NOT NULL DEFAULT 0
);

-- An evaluation reads the buckets of one model version and one window, nothing else.
CREATE UNIQUE INDEX drift_buckets_by_time ON drift_buckets (model_version, bucket_start, device_id);
-- Retention walks buckets by age.
CREATE INDEX drift_buckets_by_start ON drift_buckets (bucket_start);

-- Stored evaluations: every fleet-wide one, and per-device ones when their status changed
-- or the device's previous stored one is an hour old. `body` is the GET /api/v1/drift JSON.
CREATE TABLE drift_evaluations (
  id            INTEGER PRIMARY KEY,
  model_version TEXT    NOT NULL,
  device_id     TEXT,                -- NULL: fleet-wide
  evaluated_at  INTEGER NOT NULL,
  window_from   INTEGER NOT NULL,
  window_to     INTEGER NOT NULL,
  status        TEXT    NOT NULL CHECK (status IN ('ok', 'warn', 'alarm', 'insufficient_data',
                                                   'no_reference')),
  reference_id  INTEGER NOT NULL DEFAULT 0,
  body          TEXT    NOT NULL
);
CREATE INDEX drift_evaluations_by_scope ON drift_evaluations (model_version, device_id, evaluated_at);
CREATE INDEX drift_evaluations_by_time ON drift_evaluations (evaluated_at);

-- The episode policy's state per model version (drift::EpisodeState as JSON) and what the
-- current episode's retrain trigger did.
CREATE TABLE drift_episodes (
  model_version TEXT    PRIMARY KEY,
  state         TEXT    NOT NULL,
  run_id        TEXT,                -- the run created for the current episode
  last_trigger  TEXT,                -- JSON: the outcome of the episode's latest trigger
  updated_at    INTEGER NOT NULL
);
