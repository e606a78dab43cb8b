-- 0031: the appointment figures measure the delay to the first free slot
-- (issue 18, part 5): each request keeps the start of the first slot
-- free when it was made (NULL when none was, and the request waited for
-- one), whichever slot the person then chose.
ALTER TABLE bookings ADD COLUMN first_free_at TIMESTAMP;
