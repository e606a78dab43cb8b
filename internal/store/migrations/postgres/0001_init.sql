-- 0001: the foundation. Identical numbering in sqlite/ and postgres/.
CREATE TABLE prefectures (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code        TEXT NOT NULL UNIQUE,
	name        TEXT NOT NULL,
	departments TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE accounts (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	role          TEXT NOT NULL CHECK (role IN ('applicant', 'agent', 'admin')),
	lang          TEXT NOT NULL DEFAULT 'fr',
	confirmed_at  TIMESTAMPTZ,
	disabled_at   TIMESTAMPTZ,
	created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE agent_prefectures (
	account_id    BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	prefecture_id BIGINT NOT NULL REFERENCES prefectures(id),
	PRIMARY KEY (account_id, prefecture_id)
);

CREATE TABLE persons (
	id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	account_id       BIGINT UNIQUE REFERENCES accounts(id),
	given_names      TEXT NOT NULL DEFAULT '',
	surname          TEXT NOT NULL DEFAULT '',
	birth_date       TEXT NOT NULL DEFAULT '',
	birth_place      TEXT NOT NULL DEFAULT '',
	nationality      TEXT NOT NULL DEFAULT '',
	foreigner_number TEXT NOT NULL DEFAULT '',
	prefecture_id    BIGINT REFERENCES prefectures(id),
	created_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE permits (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person_id  BIGINT NOT NULL REFERENCES persons(id),
	ground     TEXT NOT NULL,
	number     TEXT NOT NULL DEFAULT '',
	valid_from TIMESTAMPTZ NOT NULL,
	valid_to   TIMESTAMPTZ NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX permits_person ON permits(person_id);

CREATE TABLE applications (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person_id     BIGINT NOT NULL REFERENCES persons(id),
	prefecture_id BIGINT NOT NULL REFERENCES prefectures(id),
	ground        TEXT NOT NULL,
	kind          TEXT NOT NULL,
	state         TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL,
	updated_at    TIMESTAMPTZ NOT NULL,
	submitted_at  TIMESTAMPTZ
);
CREATE INDEX applications_person ON applications(person_id);
CREATE INDEX applications_prefecture_state ON applications(prefecture_id, state);

CREATE TABLE application_events (
	id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id   BIGINT NOT NULL REFERENCES applications(id),
	from_state       TEXT NOT NULL,
	to_state         TEXT NOT NULL,
	actor_kind       TEXT NOT NULL,
	actor_account_id BIGINT,
	at               TIMESTAMPTZ NOT NULL,
	reason           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX application_events_app ON application_events(application_id, id);

CREATE TABLE tokens (
	hash       TEXT PRIMARY KEY,
	account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	purpose    TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	used_at    TIMESTAMPTZ
);
CREATE INDEX tokens_account ON tokens(account_id, purpose);

CREATE TABLE sessions (
	hash         TEXT PRIMARY KEY,
	account_id   BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	created_at   TIMESTAMPTZ NOT NULL,
	expires_at   TIMESTAMPTZ NOT NULL,
	last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_account ON sessions(account_id);

CREATE TABLE mails (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	to_addr    TEXT NOT NULL,
	subject    TEXT NOT NULL,
	text_body  TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	sent_at    TIMESTAMPTZ,
	attempts   INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mails_unsent ON mails(sent_at, id);
