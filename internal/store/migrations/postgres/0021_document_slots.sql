-- 0021 (issue 13, item 18): a document slot holds several current files
-- (a card front and back, three months of payslips), a file given for an
-- earlier application can be reused, and the photo is given as an e-photo
-- code.
--
-- A file stays current until it is removed or replaced (a slot that holds
-- one file replaces it on the next upload); every version is kept.
ALTER TABLE documents ADD COLUMN replaced_by BIGINT REFERENCES documents(id);
-- A reused file is a new row pointing at the same blob: it costs no quota.
ALTER TABLE documents ADD COLUMN reused_from BIGINT REFERENCES documents(id);
ALTER TABLE applications ADD COLUMN photo_code TEXT NOT NULL DEFAULT '';

-- Until now the newest version of a slot was its one current file: each
-- earlier version not removed was replaced by the one after it.
UPDATE documents SET replaced_by = (
	SELECT MIN(n.id) FROM documents n
	WHERE n.application_id = documents.application_id AND n.slot = documents.slot
		AND n.message_id IS NULL AND n.id > documents.id)
WHERE message_id IS NULL AND removed_at IS NULL AND EXISTS (
	SELECT 1 FROM documents n
	WHERE n.application_id = documents.application_id AND n.slot = documents.slot
		AND n.message_id IS NULL AND n.id > documents.id);
