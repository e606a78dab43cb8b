-- 0004: supervisors are agents who may also undo a mistaken step and read
-- their prefectures' audit trail (docs/decisions/0002-back-office.md).
ALTER TABLE accounts ADD COLUMN supervisor BOOLEAN NOT NULL DEFAULT FALSE;
