-- 0004 retrain: durable retrain runs (SPEC §4, §7), their step log, the ledger of the outside
-- calls they make (intent before the call, outcome after it), and the clips each run uploads.
-- Times are Unix milliseconds (UTC) in INTEGER columns. docs/retrain.md explains the design.

CREATE TABLE retrain_runs (
  id               TEXT    PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
  state            TEXT    NOT NULL CHECK (state IN ('pending', 'uploading', 'training', 'testing',
                                                     'dispatching', 'succeeded', 'rejected',
                                                     'failed')),
  trigger          TEXT    NOT NULL CHECK (trigger IN ('drift', 'manual')),
  dry_run          INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
  model_version    TEXT    NOT NULL CHECK (length(model_version) BETWEEN 1 AND 64),
  reason           TEXT    NOT NULL DEFAULT '',
  episode_id       TEXT,                        -- the drift episode that caused it (drift runs)
  drift_summary    TEXT,                        -- JSON object sent in the dispatch, or NULL
  created          INTEGER NOT NULL,
  updated          INTEGER NOT NULL,
  clips_uploaded   INTEGER NOT NULL DEFAULT 0 CHECK (clips_uploaded >= 0),
  job_id           INTEGER,                     -- the Edge Impulse retrain job
  test_job_id      INTEGER,                     -- the Edge Impulse classify job of the gate
  test_accuracy    REAL CHECK (test_accuracy IS NULL OR (test_accuracy >= 0 AND test_accuracy <= 1)),
  test_per_class   TEXT,                        -- JSON object label -> fraction, or NULL
  error            TEXT,
  substep          TEXT    NOT NULL DEFAULT '', -- where inside the state the run is
  phase_started_at INTEGER,                     -- when the current job started (job_timeout)
  next_attempt_at  INTEGER NOT NULL,            -- the runner leaves the run alone until then
  attempts         INTEGER NOT NULL DEFAULT 0,  -- transient failures of the current call in a row
  retrying_since   INTEGER                      -- the first of those failures
);

-- At most one active run per model version, whoever creates it.
CREATE UNIQUE INDEX retrain_runs_one_active ON retrain_runs (model_version)
  WHERE state NOT IN ('succeeded', 'rejected', 'failed');
CREATE INDEX retrain_runs_by_model ON retrain_runs (model_version, created);
CREATE INDEX retrain_runs_by_episode ON retrain_runs (episode_id) WHERE episode_id IS NOT NULL;
CREATE INDEX retrain_runs_by_created ON retrain_runs (created);

-- Every decision a run made, oldest first.
CREATE TABLE retrain_steps (
  id     INTEGER PRIMARY KEY,
  run_id TEXT    NOT NULL REFERENCES retrain_runs (id),
  at     INTEGER NOT NULL,
  step   TEXT    NOT NULL,
  detail TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX retrain_steps_by_run ON retrain_steps (run_id, id);

-- The outside-call ledger: a row is written (state 'intent') before a call that changes
-- something outside is sent, and completed ('done' or 'failed') right after its answer.
CREATE TABLE retrain_calls (
  id         INTEGER PRIMARY KEY,
  run_id     TEXT    NOT NULL REFERENCES retrain_runs (id),
  kind       TEXT    NOT NULL,                -- upload:<batch> | retrain | classify | dispatch
  state      TEXT    NOT NULL CHECK (state IN ('intent', 'done', 'failed')),
  intent_at  INTEGER NOT NULL,
  outcome_at INTEGER,
  remote_id  TEXT,                            -- e.g. the job id the call started
  result     TEXT,                            -- what came back (a summary, or the error)
  error_kind TEXT                             -- the RemoteErrorKind of a failed call
);
CREATE INDEX retrain_calls_by_run ON retrain_calls (run_id, kind, id);

-- The clips a run chose to upload, in upload batches, and what became of each.
CREATE TABLE retrain_run_clips (
  run_id    TEXT    NOT NULL REFERENCES retrain_runs (id),
  clip_id   TEXT    NOT NULL,
  batch     INTEGER NOT NULL CHECK (batch >= 0),
  position  INTEGER NOT NULL,                 -- order of choice (round-robin)
  device_id TEXT    NOT NULL,
  label     TEXT,                             -- sent as x-label; NULL: sent unlabeled
  file      TEXT    NOT NULL,                 -- the clip's file, relative to storage.clips_dir
  outcome   TEXT CHECK (outcome IS NULL OR outcome IN ('stored', 'duplicate', 'rejected',
                                                       'missing', 'not_sent')),
  detail    TEXT,
  PRIMARY KEY (run_id, clip_id)
) WITHOUT ROWID;
CREATE INDEX retrain_run_clips_by_batch ON retrain_run_clips (run_id, batch);
