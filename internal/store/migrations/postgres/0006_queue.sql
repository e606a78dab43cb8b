-- 0006: the work queue. Each filed, open application carries its next
-- deadline (due_on, a civil day, and what it is, due_kind), kept fresh by
-- the store in the transactions that change what it depends on
-- (store.refreshDue); other applications have none (NULL), so the queue
-- reads a partial index. An open application with nothing dated sorts
-- last, on 9999-12-31 with an empty due_kind. Existing rows are filled
-- in Go right after this file, in the same transaction (migrate.go).
ALTER TABLE applications ADD COLUMN due_on TIMESTAMPTZ;
ALTER TABLE applications ADD COLUMN due_kind TEXT NOT NULL DEFAULT '';

-- A prefecture's queue by urgency, then filing, then id (keyset paging).
CREATE INDEX applications_queue ON applications(prefecture_id, due_on, submitted_at, id)
	WHERE due_on IS NOT NULL;
-- The same within one state: a filtered page, and the counts per state.
CREATE INDEX applications_queue_state ON applications(prefecture_id, state, due_on, submitted_at, id)
	WHERE due_on IS NOT NULL;
-- Every prefecture at once (an admin's queue).
CREATE INDEX applications_queue_all ON applications(due_on, submitted_at, id)
	WHERE due_on IS NOT NULL;
