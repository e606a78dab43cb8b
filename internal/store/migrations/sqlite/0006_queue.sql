-- 0006: queue (reserved; filled by the part of issue 5 that needs it).
SELECT 1;
