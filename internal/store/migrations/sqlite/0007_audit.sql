-- 0007: the audit trail (issue 5 §6). Append-only and hash-chained: each
-- entry carries the hash of the one before it (internal/audit/chain.go
-- defines the encoding). Ids are given by the appender, one after the
-- other, so a gap means a deleted entry; a prev_hash used twice would be a
-- fork, which the unique index refuses. Subjects (person, application,
-- document) carry no foreign key: the trail is evidence and outlives what
-- it names.
CREATE TABLE audit_log (
	id               INTEGER PRIMARY KEY,
	at               TIMESTAMP NOT NULL,
	actor_account_id INTEGER,
	action           TEXT NOT NULL,
	prefecture_id    INTEGER,
	person_id        INTEGER,
	application_id   INTEGER,
	document_id      INTEGER,
	detail           TEXT NOT NULL DEFAULT '',
	prev_hash        TEXT NOT NULL UNIQUE,
	hash             TEXT NOT NULL
);
CREATE INDEX audit_log_prefecture_at ON audit_log(prefecture_id, at, id);
CREATE INDEX audit_log_person_at ON audit_log(person_id, at, id);

-- Append-only in the database too: no change, no removal.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
