-- 0001: the foundation. Identical numbering in sqlite/ and postgres/.
CREATE TABLE prefectures (
	id          INTEGER PRIMARY KEY,
	code        TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	departments TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL
);

CREATE TABLE accounts (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('applicant', 'agent', 'admin')),
	lang          TEXT NOT NULL DEFAULT 'fr',
	confirmed_at  TIMESTAMP,
	disabled_at   TIMESTAMP,
	created_at    TIMESTAMP NOT NULL
);

CREATE TABLE agent_prefectures (
	account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	prefecture_id INTEGER NOT NULL REFERENCES prefectures(id),
	PRIMARY KEY (account_id, prefecture_id)
);

CREATE TABLE persons (
	id               INTEGER PRIMARY KEY,
	account_id       INTEGER UNIQUE REFERENCES accounts(id),
	given_names      TEXT NOT NULL DEFAULT '',
	surname          TEXT NOT NULL DEFAULT '',
	birth_date       TEXT NOT NULL DEFAULT '',
	birth_place      TEXT NOT NULL DEFAULT '',
	nationality      TEXT NOT NULL DEFAULT '',
	foreigner_number TEXT NOT NULL DEFAULT '',
	prefecture_id    INTEGER REFERENCES prefectures(id),
	created_at       TIMESTAMP NOT NULL
);

CREATE TABLE permits (
	id         INTEGER PRIMARY KEY,
	person_id  INTEGER NOT NULL REFERENCES persons(id),
	ground     TEXT NOT NULL,
	number     TEXT NOT NULL DEFAULT '',
	valid_from TIMESTAMP NOT NULL,
	valid_to   TIMESTAMP NOT NULL,
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX permits_person ON permits(person_id);

CREATE TABLE applications (
	id            INTEGER PRIMARY KEY,
	person_id     INTEGER NOT NULL REFERENCES persons(id),
	prefecture_id INTEGER NOT NULL REFERENCES prefectures(id),
	ground        TEXT NOT NULL,
	kind          TEXT NOT NULL,
	state         TEXT NOT NULL,
	created_at    TIMESTAMP NOT NULL,
	updated_at    TIMESTAMP NOT NULL,
	submitted_at  TIMESTAMP
);
CREATE INDEX applications_person ON applications(person_id);
CREATE INDEX applications_prefecture_state ON applications(prefecture_id, state);

CREATE TABLE application_events (
	id               INTEGER PRIMARY KEY,
	application_id   INTEGER NOT NULL REFERENCES applications(id),
	from_state       TEXT NOT NULL,
	to_state         TEXT NOT NULL,
	actor_kind       TEXT NOT NULL,
	actor_account_id INTEGER,
	at               TIMESTAMP NOT NULL,
	reason           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX application_events_app ON application_events(application_id, id);

CREATE TABLE tokens (
	hash       TEXT PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	purpose    TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	used_at    TIMESTAMP
);
CREATE INDEX tokens_account ON tokens(account_id, purpose);

CREATE TABLE sessions (
	hash         TEXT PRIMARY KEY,
	account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	created_at   TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP NOT NULL,
	last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE mails (
	id         INTEGER PRIMARY KEY,
	to_addr    TEXT NOT NULL,
	subject    TEXT NOT NULL,
	text_body  TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	sent_at    TIMESTAMP,
	attempts   INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mails_unsent ON mails(sent_at, id);
