-- 0032: the rate limits every instance shares (issue 15, part 1): one
-- token bucket per limit and key. The key is the SHA-256 of what is
-- limited (an address, an account, both), never the address or the
-- e-mail itself. Times are Unix seconds, so that one statement refills,
-- takes and answers on either database. A row whose bucket is whole
-- again (expires_at passed) means the same as no row, and is purged.
CREATE TABLE rate_limits (
	kind       TEXT NOT NULL,
	key        TEXT NOT NULL,
	tokens     REAL NOT NULL,
	at         REAL NOT NULL,
	expires_at REAL NOT NULL,
	allowed    BOOLEAN NOT NULL,
	PRIMARY KEY (kind, key)
);
CREATE INDEX rate_limits_expiry ON rate_limits(expires_at);
