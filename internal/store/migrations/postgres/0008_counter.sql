-- 0008: counter filing, the backup channel (issue 5 §5). An agent files on
-- behalf of a person, who may have no account, and records how the
-- application came in and the person's consent; a claim code lets the
-- person take the file over online later.
ALTER TABLE applications ADD COLUMN channel TEXT NOT NULL DEFAULT 'online'
	CHECK (channel IN ('online', 'counter', 'phone', 'paper'));
ALTER TABLE applications ADD COLUMN on_behalf_by BIGINT REFERENCES accounts(id);
ALTER TABLE applications ADD COLUMN consent_at TIMESTAMPTZ;
ALTER TABLE applications ADD COLUMN consent_by BIGINT REFERENCES accounts(id);
ALTER TABLE applications ADD COLUMN consent_how TEXT NOT NULL DEFAULT '';
-- taken_over_at is when the person claimed the file online: from then on
-- the agent no longer edits it on their behalf.
ALTER TABLE applications ADD COLUMN taken_over_at TIMESTAMPTZ;

-- The address an agent recorded for a person who has no account, so that
-- mails about their file still reach them.
ALTER TABLE persons ADD COLUMN contact_email TEXT NOT NULL DEFAULT '';
CREATE INDEX persons_surname_birth ON persons(surname, birth_date);
CREATE INDEX persons_foreigner_number ON persons(foreigner_number);

-- Claim codes: only their SHA-256 is kept. A new code replaces the
-- person's unused ones (their expires_at is brought forward).
CREATE TABLE claim_codes (
	id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	hash        TEXT NOT NULL UNIQUE,
	person_id   BIGINT NOT NULL REFERENCES persons(id),
	issued_by   BIGINT NOT NULL REFERENCES accounts(id),
	created_at  TIMESTAMPTZ NOT NULL,
	expires_at  TIMESTAMPTZ NOT NULL,
	used_at     TIMESTAMPTZ,
	claimed_by  BIGINT REFERENCES accounts(id)
);
CREATE INDEX claim_codes_person ON claim_codes(person_id, id);
