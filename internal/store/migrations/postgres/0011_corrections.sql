-- 0011: civil-data correction requests (issue 6 §4). Once something was
-- filed on a person's identity, the applicant no longer edits it: they ask
-- for a correction with evidence, and an agent of the competent prefecture
-- accepts or refuses it with a reason. The requested values and the values
-- they replace are kept with the request, whatever the outcome.
CREATE TABLE corrections (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	person_id      BIGINT NOT NULL REFERENCES persons(id),
	requested_by   BIGINT NOT NULL REFERENCES accounts(id),
	explanation    TEXT NOT NULL DEFAULT '',
	-- The evidence: a document checked like any other, kept in the blob store.
	evidence_sha256 TEXT NOT NULL,
	evidence_name  TEXT NOT NULL,
	evidence_kind  TEXT NOT NULL,
	evidence_size  BIGINT NOT NULL,
	status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'refused', 'withdrawn')),
	decided_by     BIGINT REFERENCES accounts(id),
	decided_at     TIMESTAMPTZ,
	reason         TEXT NOT NULL DEFAULT '',
	created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX corrections_person ON corrections(person_id, id);
CREATE INDEX corrections_status ON corrections(status, id);
-- One request at a time per person: a second would race the first.
CREATE UNIQUE INDEX corrections_one_pending ON corrections(person_id) WHERE status = 'pending';

CREATE TABLE correction_fields (
	correction_id BIGINT NOT NULL REFERENCES corrections(id),
	field         TEXT NOT NULL,
	old_value     TEXT NOT NULL,
	new_value     TEXT NOT NULL,
	PRIMARY KEY (correction_id, field)
);
