-- 0001 foundation: API tokens, devices, classification results, key/value metadata.
-- Times are Unix milliseconds (UTC) in INTEGER columns.

-- Tokens: only the SHA-256 (lowercase hex) of a token is kept, never the token.
CREATE TABLE tokens (
  id           INTEGER PRIMARY KEY,
  role         TEXT    NOT NULL CHECK (role IN ('device', 'viewer', 'admin')),
  device_id    TEXT    CHECK ((role = 'device') = (device_id IS NOT NULL)),
  hash         TEXT    NOT NULL UNIQUE CHECK (length(hash) = 64),
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at   INTEGER
);

-- One row per device that ever sent something; counts are all-time.
CREATE TABLE devices (
  device_id     TEXT    PRIMARY KEY CHECK (length(device_id) BETWEEN 1 AND 64),
  first_seen    INTEGER NOT NULL,
  last_seen     INTEGER NOT NULL,
  model_version TEXT    NOT NULL,
  results_count INTEGER NOT NULL DEFAULT 0 CHECK (results_count >= 0),
  clips_count   INTEGER NOT NULL DEFAULT 0 CHECK (clips_count >= 0)
) WITHOUT ROWID;

-- Classification results; scores is a JSON object text (label -> score).
CREATE TABLE results (
  id            INTEGER PRIMARY KEY,
  device_id     TEXT    NOT NULL REFERENCES devices (device_id),
  result_id     TEXT,
  model_version TEXT    NOT NULL CHECK (length(model_version) BETWEEN 1 AND 64),
  timestamp_ms  INTEGER NOT NULL,
  received_ms   INTEGER NOT NULL,
  label         TEXT    NOT NULL CHECK (length(label) >= 1),
  confidence    REAL    NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  scores        TEXT    NOT NULL DEFAULT '{}'
);

-- A retried upload (same device, same result_id) is stored once.
CREATE UNIQUE INDEX results_device_result_id ON results (device_id, result_id)
  WHERE result_id IS NOT NULL;
-- Drift windows per model version, per device; retention by age.
CREATE INDEX results_by_model_time ON results (model_version, timestamp_ms);
CREATE INDEX results_by_device_time ON results (device_id, timestamp_ms);
CREATE INDEX results_by_time ON results (timestamp_ms);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
