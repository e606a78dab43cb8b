-- 0002: applicants' files: profile, documents, filings, completion
-- requests, messages.
ALTER TABLE persons ADD COLUMN address_line TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN postcode TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE persons ADD COLUMN confirmed_at TIMESTAMPTZ;
ALTER TABLE persons ADD COLUMN updated_at TIMESTAMPTZ;

ALTER TABLE permits ADD COLUMN confirmed_at TIMESTAMPTZ;

ALTER TABLE applications ADD COLUMN fee_stamp TEXT NOT NULL DEFAULT '';

ALTER TABLE prefectures ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- At most one open application per person and ground: a second one is a
-- duplicate, while applications on other grounds may coexist.
CREATE UNIQUE INDEX applications_one_open_per_ground ON applications(person_id, ground)
	WHERE state NOT IN ('handed_over', 'unfavourable', 'withdrawn', 'closed');

CREATE TABLE documents (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id BIGINT NOT NULL REFERENCES applications(id),
	slot           TEXT NOT NULL,
	message_id     BIGINT,
	blob_sum       TEXT NOT NULL,
	filename       TEXT NOT NULL,
	kind           TEXT NOT NULL,
	size           BIGINT NOT NULL,
	uploaded_at    TIMESTAMPTZ NOT NULL,
	uploaded_by    BIGINT REFERENCES accounts(id),
	removed_at     TIMESTAMPTZ
);
CREATE INDEX documents_application ON documents(application_id, slot, id);

CREATE TABLE filings (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id BIGINT NOT NULL REFERENCES applications(id),
	number         TEXT NOT NULL UNIQUE,
	filed_at       TIMESTAMPTZ NOT NULL,
	snapshot       TEXT NOT NULL
);
CREATE INDEX filings_application ON filings(application_id, id);

CREATE TABLE completion_requests (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id BIGINT NOT NULL REFERENCES applications(id),
	slots          TEXT NOT NULL,
	reason         TEXT NOT NULL,
	due_on         TIMESTAMPTZ NOT NULL,
	requested_at   TIMESTAMPTZ NOT NULL,
	requested_by   BIGINT NOT NULL REFERENCES accounts(id),
	answered_at    TIMESTAMPTZ
);
CREATE INDEX completion_requests_application ON completion_requests(application_id, id);

CREATE TABLE messages (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id BIGINT NOT NULL REFERENCES applications(id),
	sender_kind    TEXT NOT NULL,
	sender_id      BIGINT REFERENCES accounts(id),
	body           TEXT NOT NULL,
	created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX messages_application ON messages(application_id, id);
