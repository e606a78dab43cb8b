-- 0025: pre-hire declarations (issue 14, part 4; Code du travail
-- R.5221-41). A declaration names the worker as the employer gave them
-- (and the person matched by the share code, if any), the hire, and where
-- it stands: covered at once, or referred to a prefecture until its
-- answer or the due day's silence. Every outcome carries its signed code.
-- Days are YYYY-MM-DD text, compared as text.
CREATE TABLE declarations (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	number          TEXT NOT NULL UNIQUE,
	organisation_id BIGINT NOT NULL REFERENCES organisations(id),
	account_id      BIGINT REFERENCES accounts(id),
	api_key_id      BIGINT REFERENCES api_keys(id),
	person_id       BIGINT REFERENCES persons(id),
	declared_at     TIMESTAMPTZ NOT NULL,
	given_names     TEXT NOT NULL,
	surname         TEXT NOT NULL,
	birth_date      TEXT NOT NULL,
	start_date      TEXT NOT NULL,
	job             TEXT NOT NULL,
	weekly_hours    INTEGER NOT NULL CHECK (weekly_hours BETWEEN 1 AND 48),
	contract        TEXT NOT NULL,
	work_kind       TEXT NOT NULL DEFAULT '',
	work_hours      INTEGER NOT NULL DEFAULT 0,
	until_day       TEXT NOT NULL DEFAULT '',
	ground          TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL CHECK (status IN ('covered', 'referred', 'authorised', 'refused', 'silence')),
	reason          TEXT NOT NULL DEFAULT '',
	prefecture_id   BIGINT NOT NULL REFERENCES prefectures(id),
	due_date        TEXT NOT NULL DEFAULT '',
	answered_at     TIMESTAMPTZ,
	answered_by     BIGINT REFERENCES accounts(id),
	refusal_reason  TEXT NOT NULL DEFAULT '',
	code            TEXT NOT NULL DEFAULT '',
	CHECK ((account_id IS NULL) <> (api_key_id IS NULL)),
	CHECK ((status = 'referred') = (code = ''))
);
CREATE INDEX declarations_organisation ON declarations(organisation_id, id);
CREATE INDEX declarations_person ON declarations(person_id, id);
CREATE INDEX declarations_queue ON declarations(status, due_date, prefecture_id);
