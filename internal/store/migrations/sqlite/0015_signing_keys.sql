-- 0015: the keys that sign attestation codes, shared by every instance of
-- the portal (issue 11, defect 6). They were files in each instance's data
-- directory; package seal imports those files once.
--
-- The sequence number orders the keys (the highest signs) and is unique:
-- of two instances making the first key, or rotating, at once, one inserts
-- and the other reads its key. The private key is sealed with the
-- key-encryption key (AES-256-GCM), which is never stored here.
CREATE TABLE signing_keys (
	seq         INTEGER PRIMARY KEY CHECK (seq > 0),
	kid         TEXT NOT NULL UNIQUE,
	created_at  TIMESTAMP NOT NULL,
	public_key  BLOB NOT NULL,
	private_key BLOB NOT NULL
);
