-- 0005: staff_auth. The second factor of staff accounts (TOTP): the
-- secret, when it was enrolled, and the last time step accepted (a code is
-- never accepted twice); single-use recovery codes, stored hashed; and the
-- moment each session passed the second factor (NULL: still pending).
ALTER TABLE accounts ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN totp_enrolled_at TIMESTAMP;
ALTER TABLE accounts ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN second_factor_at TIMESTAMP;

CREATE TABLE recovery_codes (
	account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	hash       TEXT NOT NULL,
	used_at    TIMESTAMP,
	PRIMARY KEY (account_id, hash)
);
