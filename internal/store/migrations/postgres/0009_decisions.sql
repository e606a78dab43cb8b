-- 0009: decisions, document reviews, card appointments, undo.
ALTER TABLE application_events ADD COLUMN undo_of BIGINT REFERENCES application_events(id);

CREATE TABLE decisions (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id BIGINT NOT NULL REFERENCES applications(id),
	outcome        TEXT NOT NULL CHECK (outcome IN ('favourable', 'unfavourable')),
	reasons        TEXT NOT NULL DEFAULT '',
	note           TEXT NOT NULL DEFAULT '',
	with_oqtf      BOOLEAN NOT NULL DEFAULT FALSE,
	decided_by     BIGINT NOT NULL REFERENCES accounts(id),
	decided_at     TIMESTAMPTZ NOT NULL,
	event_id       BIGINT NOT NULL REFERENCES application_events(id),
	undone_at      TIMESTAMPTZ
);
CREATE INDEX decisions_application ON decisions(application_id, id);

CREATE TABLE document_reviews (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	document_id    BIGINT NOT NULL REFERENCES documents(id),
	application_id BIGINT NOT NULL REFERENCES applications(id),
	accepted       BOOLEAN NOT NULL,
	reason         TEXT NOT NULL DEFAULT '',
	note           TEXT NOT NULL DEFAULT '',
	reviewed_by    BIGINT NOT NULL REFERENCES accounts(id),
	reviewed_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX document_reviews_application ON document_reviews(application_id, id);

CREATE TABLE card_appointments (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id BIGINT NOT NULL REFERENCES applications(id),
	starts_at      TIMESTAMPTZ NOT NULL,
	place          TEXT NOT NULL,
	offered_by     BIGINT NOT NULL REFERENCES accounts(id),
	offered_at     TIMESTAMPTZ NOT NULL,
	cancelled_at   TIMESTAMPTZ
);
CREATE INDEX card_appointments_application ON card_appointments(application_id, id);

-- The card handed over becomes the person's current permit.
ALTER TABLE permits ADD COLUMN application_id BIGINT REFERENCES applications(id);
