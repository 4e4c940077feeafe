-- The devices' result counters and the drift buckets' prediction statistics are derived
-- from the results table in batches (store/results.hpp, sync_result_aggregates): this
-- records the id of the last result they include. Everything stored before this migration
-- was counted as it arrived.
INSERT INTO meta (key, value)
SELECT 'results_aggregated_through', CAST(coalesce(max(id), 0) AS TEXT) FROM results;
