-- Results are read by (device_id, result_id) (the duplicate check) and by timestamp_ms
-- (retention) only; drift and the API read the pre-binned buckets and the devices table.
-- The two indexes below served no query, yet every stored result paid an entry in each:
-- two more B-tree pages dirtied per result, written to the WAL and copied back by every
-- checkpoint.
DROP INDEX IF EXISTS results_by_model_time;
DROP INDEX IF EXISTS results_by_device_time;
