-- 0028: counter appointments (issue 18). A booking holds a slot, or waits
-- for one on the waiting list with its deadline. The slot is held twice
-- over: the booking's own (site, counter, start) is unique among held
-- bookings, and each step of its length is a row of booking_cells, whose
-- primary key lets no two bookings overlap on one counter, whatever their
-- lengths. Sessions are the extra sessions supervisors add to a site's
-- calendar (the weekly hours are data: rules/appointments.json).
CREATE TABLE bookings (
	id              INTEGER PRIMARY KEY,
	prefecture_code TEXT NOT NULL,
	site            TEXT NOT NULL,
	kind            TEXT NOT NULL,
	reason          TEXT NOT NULL,
	application_id  INTEGER REFERENCES applications(id),
	account_id      INTEGER REFERENCES accounts(id),
	name            TEXT NOT NULL,
	email           TEXT NOT NULL,
	phone           TEXT NOT NULL,
	lang            TEXT NOT NULL,
	status          TEXT NOT NULL CHECK (status IN ('booked', 'waiting', 'cancelled', 'no_show')),
	counter         INTEGER,
	starts_at       TIMESTAMP,
	ends_at         TIMESTAMP,
	deadline        TIMESTAMP NOT NULL,
	urgent          BOOLEAN NOT NULL,
	offered         BOOLEAN NOT NULL DEFAULT FALSE,
	channel         TEXT NOT NULL,
	booked_by       INTEGER REFERENCES accounts(id),
	created_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX bookings_slot ON bookings(prefecture_code, site, counter, starts_at) WHERE status = 'booked';
CREATE INDEX bookings_waiting ON bookings(prefecture_code, site, deadline, id) WHERE status = 'waiting';
CREATE INDEX bookings_agenda ON bookings(prefecture_code, starts_at);
CREATE TABLE booking_cells (
	prefecture_code TEXT NOT NULL,
	site            TEXT NOT NULL,
	counter         INTEGER NOT NULL,
	at              TIMESTAMP NOT NULL,
	booking_id      INTEGER NOT NULL REFERENCES bookings(id),
	PRIMARY KEY (prefecture_code, site, counter, at)
);
CREATE INDEX booking_cells_booking ON booking_cells(booking_id);
CREATE TABLE booking_sessions (
	id              INTEGER PRIMARY KEY,
	prefecture_code TEXT NOT NULL,
	site            TEXT NOT NULL,
	starts_at       TIMESTAMP NOT NULL,
	ends_at         TIMESTAMP NOT NULL,
	counters        INTEGER NOT NULL CHECK (counters BETWEEN 1 AND 20),
	added_by        INTEGER NOT NULL REFERENCES accounts(id),
	created_at      TIMESTAMP NOT NULL
);
CREATE INDEX booking_sessions_site ON booking_sessions(prefecture_code, site, starts_at);
