-- 0007: the audit trail (issue 5 §6). Append-only and hash-chained: each
-- entry carries the hash of the one before it (internal/audit/chain.go
-- defines the encoding). Ids are given by the appender, one after the
-- other, so a gap means a deleted entry; a prev_hash used twice would be a
-- fork, which the unique index refuses. Subjects (person, application,
-- document) carry no foreign key: the trail is evidence and outlives what
-- it names.
CREATE TABLE audit_log (
	id               BIGINT PRIMARY KEY,
	at               TIMESTAMPTZ NOT NULL,
	actor_account_id BIGINT,
	action           TEXT NOT NULL,
	prefecture_id    BIGINT,
	person_id        BIGINT,
	application_id   BIGINT,
	document_id      BIGINT,
	detail           TEXT NOT NULL DEFAULT '',
	prev_hash        TEXT NOT NULL UNIQUE,
	hash             TEXT NOT NULL
);
CREATE INDEX audit_log_prefecture_at ON audit_log(prefecture_id, at, id);
CREATE INDEX audit_log_person_at ON audit_log(person_id, at, id);

-- Append-only in the database too: no change, no removal, no truncation.
CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse();
