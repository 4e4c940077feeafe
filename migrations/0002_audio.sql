-- 0002 audio: stored clips and the per-window drift features of clips and devices.
-- Times are Unix milliseconds (UTC) in INTEGER columns.

-- One row per clip upload. The file is content-addressed under storage.clips_dir
-- (`path`, relative to it): rows with the same sha256 share one file. A row is never
-- deleted; eviction removes the file and sets evicted_at.
CREATE TABLE clips (
  id             INTEGER PRIMARY KEY,  -- upload order; breaks ties of received_ms
  clip_id        TEXT    NOT NULL UNIQUE CHECK (length(clip_id) BETWEEN 1 AND 64),
  device_id      TEXT    NOT NULL REFERENCES devices (device_id),
  model_version  TEXT    NOT NULL CHECK (length(model_version) BETWEEN 1 AND 64),
  timestamp_ms   INTEGER NOT NULL,     -- the device's time, or receipt time
  received_ms    INTEGER NOT NULL,
  label          TEXT    CHECK (label IS NULL OR length(label) >= 1),
  confidence     REAL    CHECK (confidence IS NULL OR (confidence >= 0 AND confidence <= 1)),
  -- The result this clip was classified as, when the device said so: (device_id,
  -- result_id) of results. Not a foreign key: the result may come later or be deleted by
  -- retention before the clip.
  result_id      TEXT    CHECK (result_id IS NULL OR length(result_id) >= 1),
  sha256         TEXT    NOT NULL CHECK (length(sha256) = 64),
  bytes          INTEGER NOT NULL CHECK (bytes > 0),
  sample_rate_hz INTEGER NOT NULL CHECK (sample_rate_hz > 0),  -- of the file as uploaded
  channels       INTEGER NOT NULL CHECK (channels > 0),
  duration_ms    INTEGER NOT NULL CHECK (duration_ms >= 0),
  windows        INTEGER NOT NULL CHECK (windows >= 0),
  path           TEXT    NOT NULL,
  pinned_by      TEXT,                 -- the retrain run that needs the file: never evicted
  evicted_at     INTEGER
);

-- A retried upload (same device, same result_id) is stored once.
CREATE UNIQUE INDEX clips_device_result_id ON clips (device_id, result_id)
  WHERE result_id IS NOT NULL;
CREATE INDEX clips_by_model_time ON clips (model_version, timestamp_ms);
CREATE INDEX clips_by_device_time ON clips (device_id, timestamp_ms);
CREATE INDEX clips_by_sha256 ON clips (sha256);
-- Eviction walks the clips that still have their file, oldest first.
CREATE INDEX clips_live_by_received ON clips (received_ms, id) WHERE evicted_at IS NULL;

-- One row per analysed audio window: from a stored clip (source 'clip', clip_id set) or
-- computed on the device and sent with a result (source 'device', no clip). `features`
-- holds num_cepstral + 1 little-endian float64 values in the order of
-- audio::drift_feature_names(): mfcc_0 .. mfcc_{n-1}, rms_dbfs.
CREATE TABLE window_features (
  id            INTEGER PRIMARY KEY,
  model_version TEXT    NOT NULL CHECK (length(model_version) BETWEEN 1 AND 64),
  device_id     TEXT    NOT NULL REFERENCES devices (device_id),
  timestamp_ms  INTEGER NOT NULL,  -- clip timestamp + window start; a result's timestamp
  clip_id       TEXT    REFERENCES clips (clip_id),
  source        TEXT    NOT NULL CHECK (source IN ('clip', 'device')),
  features      BLOB    NOT NULL CHECK (length(features) >= 8 AND length(features) % 8 = 0),
  CHECK ((source = 'clip') = (clip_id IS NOT NULL))
);

CREATE INDEX window_features_by_model_time ON window_features (model_version, timestamp_ms);
CREATE INDEX window_features_by_device_time ON window_features (device_id, timestamp_ms);
