-- 0005: staff_auth (reserved; filled by the part of issue 5 that needs it).
SELECT 1;
