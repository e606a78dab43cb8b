-- 0027: the answers of the API's POSTs sent with an Idempotency-Key
-- (issue 14, part 6), per API key. A POST that creates something writes
-- its answer here in the transaction of what it creates, so that a check
-- committed always has its answer; a POST that creates nothing writes its
-- answer after it. A replay with the same fingerprint (method, path and
-- body) gets the stored answer; another body under the same key is
-- refused. Kept 24 hours (permit.APIAnswerWindow): older ones are ignored
-- when read and deleted by the next answer of the same key.
-- Not idempotency_keys (0023): that table keeps only the id a form made,
-- which the form's page shows again; a replay of the API needs the answer
-- itself (status, type, bytes) and the fingerprint that tells the same
-- request from another sent under the same key.
CREATE TABLE api_requests (
	api_key_id      BIGINT NOT NULL REFERENCES api_keys(id),
	idempotency_key TEXT NOT NULL,
	fingerprint     TEXT NOT NULL,
	status          INTEGER NOT NULL,
	content_type    TEXT NOT NULL,
	body            BYTEA NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (api_key_id, idempotency_key)
);
CREATE INDEX api_requests_created ON api_requests (api_key_id, created_at);
