-- 0010: the history of a person's data (issue 6 §3–4). Every change to a
-- person's identity or contact details keeps the former value here, with
-- who changed it, how and when. Rows are never changed nor removed: the
-- history is what lets a person, an agent or a court see what a record
-- said on a given day.
CREATE TABLE person_changes (
	id         INTEGER PRIMARY KEY,
	person_id  INTEGER NOT NULL REFERENCES persons(id),
	field      TEXT NOT NULL,
	old_value  TEXT NOT NULL,
	new_value  TEXT NOT NULL,
	-- source says how the change came: the applicant's own form, an agent
	-- at the counter, an accepted correction request, a move between
	-- prefectures, or a prefecture's confirmation.
	source     TEXT NOT NULL CHECK (source IN ('applicant', 'counter', 'correction', 'move', 'prefecture')),
	source_ref INTEGER,
	actor_id   INTEGER REFERENCES accounts(id),
	changed_at TIMESTAMP NOT NULL
);
CREATE INDEX person_changes_person ON person_changes(person_id, id);

CREATE TRIGGER person_changes_no_update BEFORE UPDATE ON person_changes
BEGIN
	SELECT RAISE(ABORT, 'person_changes is append-only');
END;
CREATE TRIGGER person_changes_no_delete BEFORE DELETE ON person_changes
BEGIN
	SELECT RAISE(ABORT, 'person_changes is append-only');
END;
