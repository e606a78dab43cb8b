-- 0012: reports of problems, the support queue and incidents (issue 6
-- §1–2, docs/decisions/0003-support.md).

-- The help desk is an agent account with this flag and no prefecture:
-- the role CHECK of accounts could only change by rebuilding the table.
ALTER TABLE accounts ADD COLUMN help_desk BOOLEAN NOT NULL DEFAULT FALSE;

-- A report of a problem, with or without an account. follow_hash is the
-- SHA-256 of the code that lets the reporter follow it; the code itself
-- is never stored.
CREATE TABLE reports (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	reference       TEXT NOT NULL UNIQUE,
	follow_hash     TEXT NOT NULL UNIQUE,
	category        TEXT NOT NULL CHECK (category IN ('site_fails', 'data_wrong', 'attestation', 'other')),
	priority        TEXT NOT NULL CHECK (priority IN ('high', 'normal', 'low')),
	status          TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'answered', 'resolved')),
	description     TEXT NOT NULL,
	page            TEXT NOT NULL DEFAULT '',
	error_ref       TEXT NOT NULL DEFAULT '',
	account_id      BIGINT REFERENCES accounts(id),
	person_id       BIGINT REFERENCES persons(id),
	application_id  BIGINT REFERENCES applications(id),
	prefecture_id   BIGINT REFERENCES prefectures(id),
	email           TEXT NOT NULL DEFAULT '',
	phone           TEXT NOT NULL DEFAULT '',
	lang            TEXT NOT NULL DEFAULT 'fr',
	screenshot_sum  TEXT NOT NULL DEFAULT '',
	screenshot_name TEXT NOT NULL DEFAULT '',
	screenshot_kind TEXT NOT NULL DEFAULT '',
	screenshot_size BIGINT NOT NULL DEFAULT 0,
	assignee_id     BIGINT REFERENCES accounts(id),
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL,
	first_answer_at TIMESTAMPTZ,
	resolved_at     TIMESTAMPTZ,
	-- version counts the changes, so that one made on a stale copy is refused.
	version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX reports_prefecture ON reports(prefecture_id, id);
CREATE INDEX reports_status ON reports(status, id);
CREATE INDEX reports_account ON reports(account_id, id);
CREATE INDEX reports_error_ref ON reports(error_ref);

-- The thread of a report: what the reporter and support wrote, and the
-- changes support made. Steps are only ever added.
CREATE TABLE report_events (
	id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	report_id BIGINT NOT NULL REFERENCES reports(id),
	kind      TEXT NOT NULL CHECK (kind IN ('created', 'reply', 'answer', 'triage', 'assign', 'resolve', 'reopen')),
	actor_id  BIGINT REFERENCES accounts(id),
	body      TEXT NOT NULL DEFAULT '',
	at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_events_report ON report_events(report_id, id);

-- The portal's own failures: server errors shown with a reference, and
-- failed background jobs. No personal data: a path without its query.
CREATE TABLE incidents (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	reference   TEXT NOT NULL,
	source      TEXT NOT NULL CHECK (source IN ('web', 'job')),
	kind        TEXT NOT NULL,
	method      TEXT NOT NULL DEFAULT '',
	path        TEXT NOT NULL DEFAULT '',
	status      INTEGER NOT NULL DEFAULT 0,
	attempt     INTEGER NOT NULL DEFAULT 0,
	cause       TEXT NOT NULL DEFAULT '',
	day         TEXT NOT NULL,
	occurred_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX incidents_reference ON incidents(reference);
CREATE INDEX incidents_day ON incidents(day, source, kind);
