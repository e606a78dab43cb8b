-- 0016: a mail carrying a link that stops working is not sent once the
-- link is dead (issue 11 §7): after a long relay outage, a person told
-- that a reset link "is on its way" gets no dead link, and asks again.
-- expires_at is when the link stops working (NULL: the mail does not
-- expire); dropped_at is when delivery gave up on it, the reason being in
-- last_error.
ALTER TABLE mails ADD COLUMN expires_at TIMESTAMPTZ;
ALTER TABLE mails ADD COLUMN dropped_at TIMESTAMPTZ;
