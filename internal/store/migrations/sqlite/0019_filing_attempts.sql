-- 0017 (assigned 0018 in issue 12; renumber at merge): filings attempted
-- while the database was down, as their replay recorded them. The id is
-- the local journal's record id, so an attempt is applied once: its row
-- commits in the transaction of the filing it makes (filing_id) or of
-- the refusal it records (reason, a translation key).
CREATE TABLE filing_attempts (
	id             TEXT PRIMARY KEY,
	number         TEXT NOT NULL UNIQUE,
	account_id     INTEGER NOT NULL,
	person_id      INTEGER NOT NULL,
	application_id INTEGER NOT NULL,
	attempted_at   TIMESTAMP NOT NULL,
	code           TEXT NOT NULL,
	outcome        TEXT NOT NULL CHECK (outcome IN ('filed', 'refused')),
	reason         TEXT NOT NULL DEFAULT '',
	filing_id      INTEGER REFERENCES filings(id),
	replayed_at    TIMESTAMP NOT NULL,
	CHECK ((outcome = 'filed') = (filing_id IS NOT NULL))
);
CREATE INDEX filing_attempts_account ON filing_attempts(account_id, attempted_at);
