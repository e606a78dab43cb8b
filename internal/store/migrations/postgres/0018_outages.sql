-- 0017: outages of the portal, detected or declared, and planned
-- maintenance (issue 12 §2 and §4): the public status page reads them,
-- and the renewal window is relieved by those that stopped filing
-- (docs/decisions/0008-outage-relief.md).

CREATE TABLE outages (
	id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind           TEXT NOT NULL CHECK (kind IN ('detected', 'declared', 'planned')),
	-- The functions stopped, comma-separated: filing, attestations,
	-- verification, mail, counter.
	functions      TEXT NOT NULL,
	-- The health check that opened a detected outage; '' otherwise.
	check_name     TEXT NOT NULL DEFAULT '',
	started_at     TIMESTAMPTZ NOT NULL,
	ended_at       TIMESTAMPTZ,
	description_fr TEXT NOT NULL DEFAULT '',
	description_en TEXT NOT NULL DEFAULT '',
	relieves       BOOLEAN NOT NULL DEFAULT FALSE,
	cancelled      BOOLEAN NOT NULL DEFAULT FALSE,
	declared_by    BIGINT REFERENCES accounts(id),
	created_at     TIMESTAMPTZ NOT NULL,
	updated_at     TIMESTAMPTZ NOT NULL,
	version        INTEGER NOT NULL DEFAULT 1,
	CHECK (ended_at IS NULL OR ended_at >= started_at)
);
CREATE INDEX outages_started ON outages(started_at, id);
CREATE INDEX outages_check ON outages(check_name, started_at) WHERE kind = 'detected';

-- The trail of each outage: opened and closed by the portal, declared,
-- corrected or cancelled by an administrator (with the reason), and the
-- outage as it stood after the step. Steps are only ever added.
CREATE TABLE outage_events (
	id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	outage_id BIGINT NOT NULL REFERENCES outages(id),
	action    TEXT NOT NULL CHECK (action IN ('opened', 'closed', 'declared', 'corrected', 'cancelled')),
	actor_id  BIGINT REFERENCES accounts(id),
	reason    TEXT NOT NULL DEFAULT '',
	state     TEXT NOT NULL,
	at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX outage_events_outage ON outage_events(outage_id, id);
