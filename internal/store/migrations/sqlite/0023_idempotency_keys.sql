-- 0023: the one-time keys of forms that create something (issue 13,
-- item 14): each is written in the transaction of what its form made, so
-- a resend of the same form finds it and makes nothing a second time.
-- Kept 24 hours (permit.ResendWindow): older ones are ignored when read
-- and deleted by the next write of the same scope.
CREATE TABLE idempotency_keys (
	scope      TEXT NOT NULL,
	key        TEXT NOT NULL,
	kind       TEXT NOT NULL,
	made_id    INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (scope, created_at);
