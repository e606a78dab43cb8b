-- 0033: reminders of a person's legal dates and their private calendar
-- feed (issue 16, part 3). Each reminder written is a row keyed by
-- (account, kind, subject, the legal date it is about): the unique key
-- that lets a sweep that died, ran twice or ran on two instances write
-- it once, in the transaction of its mail and its SMS. due_on is the
-- civil day as YYYY-MM-DD, the same text on both databases.
CREATE TABLE reminders (
	account_id INTEGER NOT NULL REFERENCES accounts(id),
	kind       TEXT NOT NULL,
	subject    TEXT NOT NULL,
	due_on     TEXT NOT NULL,
	mail_id    INTEGER,
	sms_id     INTEGER,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (account_id, kind, subject, due_on)
);
-- The kinds a person stopped; no row: the kind is sent.
CREATE TABLE reminder_stops (
	account_id INTEGER NOT NULL REFERENCES accounts(id),
	kind       TEXT NOT NULL,
	stopped_at TIMESTAMP NOT NULL,
	PRIMARY KEY (account_id, kind)
);
-- One feed per account: only the SHA-256 of its token is kept.
CREATE TABLE calendar_feeds (
	account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
	token_hash TEXT NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL
);
-- Where the day's sweep has got to: the accounts up to after_account
-- were looked at on day (YYYY-MM-DD). One row.
CREATE TABLE reminder_sweeps (
	id            INTEGER PRIMARY KEY CHECK (id = 1),
	day           TEXT NOT NULL,
	after_account INTEGER NOT NULL
);
-- The SMS outbox, as mails: written with what causes them, delivered by
-- a job through the configured SMS sender.
CREATE TABLE sms_outbox (
	id         INTEGER PRIMARY KEY,
	to_phone   TEXT NOT NULL,
	text_body  TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	sent_at    TIMESTAMP,
	attempts   INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT ''
);
