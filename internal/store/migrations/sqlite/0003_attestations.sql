-- 0003: attestations. Never edited in place: a correction is a new
-- version (same number), and the previous one is marked superseded.
CREATE TABLE attestations (
	id             INTEGER PRIMARY KEY,
	application_id INTEGER NOT NULL REFERENCES applications(id),
	kind           TEXT NOT NULL,
	number         TEXT NOT NULL,
	version        INTEGER NOT NULL,
	valid_from     TIMESTAMP NOT NULL,
	valid_until    TIMESTAMP NOT NULL,
	available_from TIMESTAMP NOT NULL,
	issued_at      TIMESTAMP NOT NULL,
	code           TEXT NOT NULL DEFAULT '',
	superseded_at  TIMESTAMP,
	revoked_at     TIMESTAMP,
	revoke_reason  TEXT NOT NULL DEFAULT '',
	UNIQUE (number, version)
);
CREATE INDEX attestations_application ON attestations(application_id, kind, valid_from);
-- One live attestation per application, kind and period: issuing twice
-- (a retried job, two workers) issues once.
CREATE UNIQUE INDEX attestations_one_per_period ON attestations(application_id, kind, valid_from)
	WHERE superseded_at IS NULL AND revoked_at IS NULL;
