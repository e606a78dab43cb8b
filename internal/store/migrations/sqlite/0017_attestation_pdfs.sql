-- 0017 (assigned 0019 in issue 12; renumbered at merge): each signed
-- attestation's PDF is rendered once and kept in the blob store, so that
-- a holder downloads the very document issued, and can while the
-- database only reads (read-only mode). pdf_sum is its blob's SHA-256,
-- empty until it is kept.
ALTER TABLE attestations ADD COLUMN pdf_sum TEXT NOT NULL DEFAULT '';
