-- 0030: a site's closure (issue 18) is a session of its own kind: the
-- column says so, instead of the "closed/" prefix on the site's name that
-- 0028's rows carried (converted here), so the site stays a plain site id.
ALTER TABLE booking_sessions ADD COLUMN closed BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE booking_sessions SET closed = TRUE, site = substr(site, 8) WHERE site LIKE 'closed/%';
