-- 0014: issuing that no crash can skip, at a cost proportional to what is
-- due (issue 11 §1, §2, §5).
--
-- issue_due_on is the first day the issuer must look at an application
-- again: 1970-01-01 ("now") when something it depends on changed, the day
-- the next attestation falls due once the issuer has planned it, NULL
-- when nothing more will ever be owed. plan_version counts the changes,
-- so that an issuer planning from an old snapshot cannot push the day
-- later than a change made meanwhile. Existing filed applications are set
-- to "now" in Go right after this file (migrate.go).
ALTER TABLE applications ADD COLUMN issue_due_on TIMESTAMPTZ;
ALTER TABLE applications ADD COLUMN plan_version BIGINT NOT NULL DEFAULT 0;

-- The sweep reads what is due, oldest first, in batches (keyset).
CREATE INDEX applications_issue_due ON applications(issue_due_on, id)
	WHERE issue_due_on IS NOT NULL;
