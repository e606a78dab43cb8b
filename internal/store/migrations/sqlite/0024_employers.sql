-- 0021 (assigned 0027 in issue 14; renumber at merge): employers.
-- Organisations with their members and API keys, the share codes persons
-- give them, and the record of each right-to-work check. A member is an
-- applicant account with a membership row (the role CHECK of accounts
-- could only change by rebuilding the table, decision 0003).
CREATE TABLE organisations (
	id           INTEGER PRIMARY KEY,
	name         TEXT NOT NULL,
	siret        TEXT NOT NULL UNIQUE,
	address_line TEXT NOT NULL,
	postcode     TEXT NOT NULL,
	city         TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL
);
CREATE TABLE org_members (
	account_id      INTEGER PRIMARY KEY REFERENCES accounts(id),
	organisation_id INTEGER NOT NULL REFERENCES organisations(id),
	admin           BOOLEAN NOT NULL DEFAULT FALSE,
	created_at      TIMESTAMP NOT NULL
);
CREATE INDEX org_members_organisation ON org_members(organisation_id);
-- An API key is sjk_<prefix>_<secret>: the prefix finds the row, the
-- SHA-256 of the whole key is compared.
CREATE TABLE api_keys (
	id              INTEGER PRIMARY KEY,
	organisation_id INTEGER NOT NULL REFERENCES organisations(id),
	name            TEXT NOT NULL,
	prefix          TEXT NOT NULL UNIQUE,
	hash            TEXT NOT NULL,
	created_by      INTEGER NOT NULL REFERENCES accounts(id),
	created_at      TIMESTAMP NOT NULL,
	last_used_at    TIMESTAMP,
	revoked_at      TIMESTAMP
);
CREATE INDEX api_keys_organisation ON api_keys(organisation_id, id);
CREATE TABLE share_codes (
	id         INTEGER PRIMARY KEY,
	person_id  INTEGER NOT NULL REFERENCES persons(id),
	purpose    TEXT NOT NULL CHECK (purpose IN ('work', 'housing', 'other')),
	hash       TEXT NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	revoked_at TIMESTAMP
);
CREATE INDEX share_codes_person ON share_codes(person_id, id);
-- The record of a check: what was answered, to whom, and its signed code;
-- the PDF is rendered again from it. Kept when the code is revoked.
CREATE TABLE work_checks (
	id               INTEGER PRIMARY KEY,
	number           TEXT NOT NULL UNIQUE,
	organisation_id  INTEGER NOT NULL REFERENCES organisations(id),
	account_id       INTEGER REFERENCES accounts(id),
	api_key_id       INTEGER REFERENCES api_keys(id),
	share_code_id    INTEGER NOT NULL REFERENCES share_codes(id),
	person_id        INTEGER NOT NULL REFERENCES persons(id),
	checked_at       TIMESTAMP NOT NULL,
	given_names      TEXT NOT NULL,
	surname          TEXT NOT NULL,
	birth_date       TEXT NOT NULL,
	work_kind        TEXT NOT NULL,
	work_hours       INTEGER NOT NULL DEFAULT 0,
	until_day        TEXT NOT NULL DEFAULT '',
	basis            TEXT NOT NULL,
	pending_renewal  BOOLEAN NOT NULL DEFAULT FALSE,
	ground           TEXT NOT NULL DEFAULT '',
	prefecture_code  TEXT NOT NULL,
	prefecture_name  TEXT NOT NULL,
	code             TEXT NOT NULL,
	CHECK ((account_id IS NULL) <> (api_key_id IS NULL))
);
CREATE INDEX work_checks_organisation ON work_checks(organisation_id, id);
CREATE INDEX work_checks_share_code ON work_checks(share_code_id, id);
