-- 0029: the counter records when the person of a booking arrived (issue
-- 18): the agent reads the booking's counter code, and the booking keeps
-- the time, set once; an arrived booking is never marked absent.
ALTER TABLE bookings ADD COLUMN arrived_at TIMESTAMPTZ;
