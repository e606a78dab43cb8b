-- 0013: applicants change their contact data; moving prefecture (issue 6
-- §3, docs/decisions/0004-moving-prefecture.md).
--
-- An e-mail address waiting for confirmation: log-in and mails keep the
-- account's address until the link mailed to the new one is followed.
ALTER TABLE accounts ADD COLUMN pending_email TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN pending_email_at TIMESTAMP;
ALTER TABLE accounts ADD COLUMN pending_email_until TIMESTAMP;

-- An application following its applicant to the prefecture competent for
-- a new address. Its events, documents and filings stay as they are; the
-- transfer is one more line of its history, kept for both prefectures.
-- Rows are never changed nor removed.
CREATE TABLE transfers (
	id                 INTEGER PRIMARY KEY,
	application_id     INTEGER NOT NULL REFERENCES applications(id),
	person_id          INTEGER NOT NULL REFERENCES persons(id),
	from_prefecture_id INTEGER NOT NULL REFERENCES prefectures(id),
	to_prefecture_id   INTEGER NOT NULL REFERENCES prefectures(id),
	state              TEXT NOT NULL,
	actor_id           INTEGER REFERENCES accounts(id),
	moved_at           TIMESTAMP NOT NULL
);
CREATE INDEX transfers_application ON transfers(application_id, id);
CREATE INDEX transfers_from ON transfers(from_prefecture_id, moved_at, id);
CREATE INDEX transfers_to ON transfers(to_prefecture_id, moved_at, id);

CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
BEGIN
	SELECT RAISE(ABORT, 'transfers is append-only');
END;
CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
BEGIN
	SELECT RAISE(ABORT, 'transfers is append-only');
END;
