-- 0022: a timbre fiscal pays for one application, once, across the whole
-- portal (issue 13, item 16). Each stamp number, as stored (16 digits, no
-- spaces), is held by one application: the one whose draft recorded it
-- first. A draft that changes its stamp lets the former one go, and so
-- does a draft withdrawn before it was filed (it never used the stamp);
-- once filed, the stamp is consumed and stays held whatever becomes of the
-- application (withdrawn, refused, closed), as a stamp used on a file is
-- in France.
CREATE TABLE fee_stamps (
	stamp          TEXT PRIMARY KEY CHECK (stamp <> ''),
	application_id INTEGER NOT NULL UNIQUE REFERENCES applications(id),
	recorded_at    TIMESTAMP NOT NULL
);
-- The stamps already given: each is held by the first application that
-- filed it, or else by the first draft that holds it. An application that
-- filed a stamp another filed before keeps its filing (the past is not
-- rewritten); a draft whose stamp another holds is refused at filing.
INSERT INTO fee_stamps (stamp, application_id, recorded_at)
	SELECT fee_stamp, MIN(id), MIN(submitted_at) FROM applications
	WHERE fee_stamp <> '' AND submitted_at IS NOT NULL GROUP BY fee_stamp;
INSERT INTO fee_stamps (stamp, application_id, recorded_at)
	SELECT a.fee_stamp, MIN(a.id), MIN(a.updated_at) FROM applications a
	WHERE a.fee_stamp <> '' AND a.state = 'draft'
	AND NOT EXISTS (SELECT 1 FROM fee_stamps f WHERE f.stamp = a.fee_stamp) GROUP BY a.fee_stamp;
