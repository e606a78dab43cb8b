-- PLACEHOLDER, not to be merged: issue 14 part 4 (declarations) owns 0025.
-- The runner requires contiguous numbers, so this empty file lets 0026 be
-- tested alone; the merge replaces it with the real 0025.
SELECT 1;
