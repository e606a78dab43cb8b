-- 0033: reserved for another branch of issue 16; this placeholder keeps
-- the numbering contiguous until the branches are merged, and is dropped
-- then (the lead renumbers).
SELECT 1;
