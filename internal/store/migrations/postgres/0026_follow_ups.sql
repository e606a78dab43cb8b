-- 0026 (issue 14, part 5): follow-ups. An employer that checked a
-- person's right to work asks to follow it; the person accepts or
-- declines, and either side ends it. While it is active, the events of
-- the person's right (a renewal filed, an extension attestation issued, a
-- decision, the right ending within 60 days) are written, once each (the
-- dedup key), in the transaction of what causes them, and delivered by
-- mail to the organisation's members and to its webhook.
CREATE TABLE follow_ups (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	organisation_id BIGINT NOT NULL REFERENCES organisations(id),
	person_id       BIGINT NOT NULL REFERENCES persons(id),
	work_check_id   BIGINT NOT NULL REFERENCES work_checks(id),
	requested_by    BIGINT NOT NULL REFERENCES accounts(id),
	requested_at    TIMESTAMPTZ NOT NULL,
	state           TEXT NOT NULL CHECK (state IN ('requested', 'active', 'declined', 'ended')),
	answered_at     TIMESTAMPTZ,
	ended_at        TIMESTAMPTZ,
	ended_by        TEXT NOT NULL DEFAULT '' CHECK (ended_by IN ('', 'worker', 'employer'))
);
-- One open follow-up (asked or active) of a person per organisation.
CREATE UNIQUE INDEX follow_ups_open ON follow_ups(organisation_id, person_id) WHERE state IN ('requested', 'active');
CREATE INDEX follow_ups_person ON follow_ups(person_id, id);
CREATE INDEX follow_ups_organisation ON follow_ups(organisation_id, id);
CREATE TABLE follow_up_events (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	follow_up_id BIGINT NOT NULL REFERENCES follow_ups(id),
	kind         TEXT NOT NULL CHECK (kind IN ('renewal_filed', 'extension_issued', 'decision_favourable', 'decision_refused', 'right_ends')),
	day          TEXT NOT NULL,
	dedup_key    TEXT NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	mailed_at    TIMESTAMPTZ,
	delivered_at TIMESTAMPTZ,
	UNIQUE (follow_up_id, dedup_key)
);
CREATE INDEX follow_up_events_unmailed ON follow_up_events(id) WHERE mailed_at IS NULL;
-- An organisation's webhook. The secret is never stored: it is derived
-- from the key-encryption key and this nonce (a new nonce rotates it).
CREATE TABLE org_webhooks (
	organisation_id BIGINT PRIMARY KEY REFERENCES organisations(id),
	url             TEXT NOT NULL,
	nonce           TEXT NOT NULL,
	created_by      BIGINT NOT NULL REFERENCES accounts(id),
	created_at      TIMESTAMPTZ NOT NULL
);
-- A proof fetched for a follow-up is a check record of its own.
ALTER TABLE work_checks ADD COLUMN follow_up_id BIGINT REFERENCES follow_ups(id);
