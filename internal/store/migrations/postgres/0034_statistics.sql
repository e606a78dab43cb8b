-- 0034: the public statistics (issue 16, part 4). One row per Paris
-- civil day computed (YYYY-MM-DD), written whole in one INSERT by the
-- daily computation: a second computation of the same day (a second
-- instance, a retried job) inserts nothing, and a computation that dies
-- before its INSERT leaves the previous day's row served. The body is
-- the published figures as JSON (permit.Statistics), already
-- suppressed: nothing below the threshold is stored.
CREATE TABLE statistics_snapshots (
	day         TEXT PRIMARY KEY,
	computed_at TIMESTAMPTZ NOT NULL,
	body        TEXT NOT NULL
);
