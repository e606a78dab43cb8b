-- 0017: a password reset request is written as it is, whether or not its
-- address has an account, and a job answers it (issue 13, item 7): the
-- request does the same work either way, so its timing tells nothing. The
-- job looks the address up, mails a link if it has an account, and
-- deletes the row either way.
CREATE TABLE reset_requests (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email      TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
