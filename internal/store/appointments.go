package store

import (
	"context"
	"errors"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// Appointments is the room of counter appointments (issue 18): bookings,
// the cells of time they hold, the waiting list and the extra sessions;
// taken as store.Appointments{DB: db}.
type Appointments struct{ *DB }

// waitingBatch bounds the requests one write offers slots to.
const waitingBatch = 200

// lockSite serialises the writes of one site's calendar on PostgreSQL
// (SQLite has one writer), so that the offers a write makes from what it
// read are not taken meanwhile by a booking of another connection. Two
// bookings of one slot still meet on the cells' primary key.
func lockSite(ctx context.Context, tx *Tx, prefecture, site string) error {
	if tx.dialect != Postgres {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte("booking\x00" + prefecture + "\x00" + site))
	_, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(h.Sum64()))
	return err
}

// lockApplication serialises, on PostgreSQL, the collection bookings of
// one application (SQLite has one writer).
func lockApplication(ctx context.Context, tx *Tx, id int64) error {
	if tx.dialect != Postgres {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte("collection\x00" + strconv.FormatInt(id, 10)))
	_, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, int64(h.Sum64()))
	return err
}

// Book stores a booking with the cells it holds (none on the waiting
// list) and its confirmation mail (made once the booking has its number),
// in one transaction. A cell already
// held is ECONFLICT "appointments.error.taken": someone booked the slot
// first. An application has one card collection booking at a time
// (booked or waiting): another is ECONFLICT "collection.error.booked".
func (db Appointments) Book(ctx context.Context, b *permit.Booking, cells []permit.Cell, mail func(*permit.Booking) *permit.Mail) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := lockSite(ctx, tx, b.PrefectureCode, b.Site); err != nil {
			return err
		}
		if b.Kind == permit.BookingCard && b.ApplicationID != 0 {
			// Two sites of a prefecture have two locks: the application's
			// own serialises its collection bookings on PostgreSQL.
			if err := lockApplication(ctx, tx, b.ApplicationID); err != nil {
				return err
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM bookings WHERE application_id = ? AND kind = ? AND status IN ('booked', 'waiting')`,
				b.ApplicationID, string(permit.BookingCard)).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return permit.Errorf(permit.ECONFLICT, "collection.error.booked")
			}
		}
		b.CreatedAt = db.clock.Now().UTC()
		err := tx.queryRow(ctx, `INSERT INTO bookings (prefecture_code, site, kind, reason, application_id, account_id, name, email, phone, lang,
			status, counter, starts_at, ends_at, deadline, urgent, offered, channel, booked_by, created_at, first_free_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			b.PrefectureCode, b.Site, string(b.Kind), string(b.Reason), nullID(b.ApplicationID), nullID(b.AccountID), b.Name, b.Email, b.Phone, b.Lang,
			string(b.Status), nullCounter(b), nullInstant(b.StartsAt), nullInstant(b.EndsAt), b.Deadline.UTC(), b.Urgent, b.Offered,
			string(b.Channel), nullID(b.BookedBy), b.CreatedAt, nullInstant(b.FirstFreeAt)).Scan(&b.ID)
		if err != nil {
			return slotTaken(err)
		}
		tx.made(b.ID)
		if err := holdCells(ctx, tx, b, cells); err != nil {
			return err
		}
		if mail == nil {
			return nil
		}
		return insertMail(ctx, tx, mail(b), b.CreatedAt)
	})
}

func nullCounter(b *permit.Booking) any {
	if b.Counter == 0 {
		return nil
	}
	return b.Counter
}

func nullInstant(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// slotTaken turns a unique violation of a slot into the answer a person
// reads.
func slotTaken(err error) error {
	if uniqueViolation(err) {
		return permit.Errorf(permit.ECONFLICT, "appointments.error.taken")
	}
	return err
}

func holdCells(ctx context.Context, tx *Tx, b *permit.Booking, cells []permit.Cell) error {
	for _, c := range cells {
		if _, err := tx.exec(ctx, `INSERT INTO booking_cells (prefecture_code, site, counter, at, booking_id) VALUES (?, ?, ?, ?, ?)`,
			b.PrefectureCode, b.Site, c.Counter, c.At.UTC(), b.ID); err != nil {
			return slotTaken(err)
		}
	}
	return nil
}

const bookingColumns = `id, prefecture_code, site, kind, reason, application_id, account_id, name, email, phone, lang,
	status, counter, starts_at, ends_at, deadline, urgent, offered, channel, booked_by, created_at, arrived_at, first_free_at`

func scanBooking(row interface{ Scan(...any) error }) (*permit.Booking, error) {
	var b permit.Booking
	var kind, reason, status, channel string
	var app, acc, by, counter nullInt
	var starts, ends, arrived, firstFree nullTime
	err := row.Scan(&b.ID, &b.PrefectureCode, &b.Site, &kind, &reason, &app, &acc, &b.Name, &b.Email, &b.Phone, &b.Lang,
		&status, &counter, &starts, &ends, &b.Deadline, &b.Urgent, &b.Offered, &channel, &by, &b.CreatedAt, &arrived, &firstFree)
	if err != nil {
		return nil, err
	}
	b.Kind, b.Reason, b.Status, b.Channel = permit.BookingKind(kind), permit.BookingReason(reason), permit.BookingStatus(status), permit.Channel(channel)
	b.ApplicationID, b.AccountID, b.BookedBy, b.Counter = app.Int64, acc.Int64, by.Int64, int(counter.Int64)
	if starts.Valid {
		b.StartsAt, b.EndsAt = starts.Time.UTC(), ends.Time.UTC()
	}
	if arrived.Valid {
		b.ArrivedAt = arrived.Time.UTC()
	}
	if firstFree.Valid {
		b.FirstFreeAt = firstFree.Time.UTC()
	}
	b.Deadline, b.CreatedAt = b.Deadline.UTC(), b.CreatedAt.UTC()
	return &b, nil
}

func (tx *Tx) bookings(ctx context.Context, where string, args ...any) ([]*permit.Booking, error) {
	rows, err := tx.query(ctx, `SELECT `+bookingColumns+` FROM bookings `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*permit.Booking
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Booking returns one booking, or ENOTFOUND.
func (db Appointments) Booking(ctx context.Context, id int64) (*permit.Booking, error) {
	var b *permit.Booking
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		b, err = scanBooking(tx.queryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = ?`, id))
		return err
	})
	return b, err
}

// Agenda lists a prefecture's bookings that hold or held a slot from
// from to to, by start.
func (db Appointments) Agenda(ctx context.Context, prefecture string, from, to time.Time) ([]*permit.Booking, error) {
	var out []*permit.Booking
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		out, err = tx.bookings(ctx, `WHERE prefecture_code = ? AND status IN ('booked', 'no_show') AND starts_at >= ? AND starts_at < ?
			ORDER BY starts_at, counter`, prefecture, from.UTC(), to.UTC())
		return err
	})
	return out, err
}

// WaitingList lists a prefecture's requests waiting for a slot, the most
// urgent (earliest deadline) first.
func (db Appointments) WaitingList(ctx context.Context, prefecture string) ([]*permit.Booking, error) {
	var out []*permit.Booking
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		out, err = tx.bookings(ctx, `WHERE prefecture_code = ? AND status = 'waiting' ORDER BY deadline, id`, prefecture)
		return err
	})
	return out, err
}

// Calendar returns what is held at a site from from on, and its extra
// sessions that end after from: what free slots are computed from.
func (db Appointments) Calendar(ctx context.Context, prefecture, site string, from time.Time) ([]permit.Cell, []*permit.BookingSession, error) {
	var cells []permit.Cell
	var sessions []*permit.BookingSession
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		cells, sessions, err = calendar(ctx, tx, prefecture, site, from)
		return err
	})
	return cells, sessions, err
}

func calendar(ctx context.Context, tx *Tx, prefecture, site string, from time.Time) ([]permit.Cell, []*permit.BookingSession, error) {
	rows, err := tx.query(ctx, `SELECT counter, at FROM booking_cells WHERE prefecture_code = ? AND site = ? AND at >= ?`, prefecture, site, from.UTC())
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var cells []permit.Cell
	for rows.Next() {
		var c permit.Cell
		if err := rows.Scan(&c.Counter, &c.At); err != nil {
			return nil, nil, err
		}
		c.At = c.At.UTC()
		cells = append(cells, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	srows, err := tx.query(ctx, `SELECT id, prefecture_code, site, starts_at, ends_at, counters, added_by, created_at, closed FROM booking_sessions
		WHERE prefecture_code = ? AND site = ? AND ends_at > ? ORDER BY starts_at, id`, prefecture, site, from.UTC())
	if err != nil {
		return nil, nil, err
	}
	defer srows.Close()
	var sessions []*permit.BookingSession
	for srows.Next() {
		var s permit.BookingSession
		if err := srows.Scan(&s.ID, &s.PrefectureCode, &s.Site, &s.StartsAt, &s.EndsAt, &s.Counters, &s.AddedBy, &s.CreatedAt, &s.Closed); err != nil {
			return nil, nil, err
		}
		s.StartsAt, s.EndsAt, s.CreatedAt = s.StartsAt.UTC(), s.EndsAt.UTC(), s.CreatedAt.UTC()
		sessions = append(sessions, &s)
	}
	return cells, sessions, srows.Err()
}

// CancelBooking cancels a booking (held or waiting) and, in the same
// transaction, offers what it freed to the waiting list (offer); the
// booking's own mail m and the offers' mails go with it. A booking not
// held nor waiting is ECONFLICT.
func (db Appointments) CancelBooking(ctx context.Context, id int64, m *permit.Mail, offer permit.OfferFunc) error {
	return db.change(ctx, id, m, offer, func(tx *Tx, b *permit.Booking) error {
		_, err := tx.exec(ctx, `UPDATE bookings SET status = 'cancelled' WHERE id = ?`, id)
		return err
	})
}

// MoveBooking moves a held booking to another slot (rescheduling), and
// offers the slot it left to the waiting list, in one transaction.
func (db Appointments) MoveBooking(ctx context.Context, id int64, to *permit.SlotOffer, m *permit.Mail, offer permit.OfferFunc) error {
	return db.change(ctx, id, m, offer, func(tx *Tx, b *permit.Booking) error {
		if b.Status != permit.BookingBooked {
			return permit.Errorf(permit.ECONFLICT, "appointments.error.not_held")
		}
		_, err := tx.exec(ctx, `UPDATE bookings SET counter = ?, starts_at = ?, ends_at = ? WHERE id = ?`, to.Counter, to.StartsAt.UTC(), to.EndsAt.UTC(), id)
		if err != nil {
			return slotTaken(err)
		}
		return holdCells(ctx, tx, b, to.Cells)
	})
}

// change is a write on one live booking that frees its cells, then offers
// what is free to the waiting list.
func (db Appointments) change(ctx context.Context, id int64, m *permit.Mail, offer permit.OfferFunc, apply func(*Tx, *permit.Booking) error) error {
	b, err := db.Booking(ctx, id)
	if err != nil {
		return err
	}
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := lockSite(ctx, tx, b.PrefectureCode, b.Site); err != nil {
			return err
		}
		cur, err := scanBooking(tx.queryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if cur.Status != permit.BookingBooked && cur.Status != permit.BookingWaiting {
			return permit.Errorf(permit.ECONFLICT, "appointments.error.not_held")
		}
		if _, err := tx.exec(ctx, `DELETE FROM booking_cells WHERE booking_id = ?`, id); err != nil {
			return err
		}
		if err := apply(tx, cur); err != nil {
			return err
		}
		now := db.clock.Now().UTC()
		if err := insertMail(ctx, tx, m, now); err != nil {
			return err
		}
		return offerWaiting(ctx, tx, cur.PrefectureCode, cur.Site, now, offer)
	})
}

// AddSession adds an extra session to a site's calendar and offers its
// slots to the waiting list, in one transaction.
func (db Appointments) AddSession(ctx context.Context, s *permit.BookingSession, offer permit.OfferFunc) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := lockSite(ctx, tx, s.PrefectureCode, s.Site); err != nil {
			return err
		}
		s.CreatedAt = db.clock.Now().UTC()
		err := tx.queryRow(ctx, `INSERT INTO booking_sessions (prefecture_code, site, starts_at, ends_at, counters, added_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, s.PrefectureCode, s.Site, s.StartsAt.UTC(), s.EndsAt.UTC(), s.Counters, s.AddedBy, s.CreatedAt).Scan(&s.ID)
		if err != nil {
			return err
		}
		return offerWaiting(ctx, tx, s.PrefectureCode, s.Site, s.CreatedAt, offer)
	})
}

// offerWaiting gives free slots to a site's waiting requests, the most
// urgent first, as offer decides, each with its mail: a request is never
// left waiting while a slot it could take is free.
func offerWaiting(ctx context.Context, tx *Tx, prefecture, site string, now time.Time, offer permit.OfferFunc) error {
	if offer == nil {
		return nil
	}
	waiting, err := tx.bookings(ctx, `WHERE prefecture_code = ? AND site = ? AND status = 'waiting' ORDER BY deadline, id LIMIT ?`, prefecture, site, waitingBatch)
	if err != nil || len(waiting) == 0 {
		return err
	}
	taken, sessions, err := calendar(ctx, tx, prefecture, site, now)
	if err != nil {
		return err
	}
	for _, w := range waiting {
		o := offer(w, taken, sessions)
		if o == nil {
			continue
		}
		if _, err := tx.exec(ctx, `UPDATE bookings SET status = 'booked', offered = TRUE, counter = ?, starts_at = ?, ends_at = ? WHERE id = ? AND status = 'waiting'`,
			o.Counter, o.StartsAt.UTC(), o.EndsAt.UTC(), w.ID); err != nil {
			return slotTaken(err)
		}
		if err := holdCells(ctx, tx, w, o.Cells); err != nil {
			return err
		}
		if err := insertMail(ctx, tx, o.Mail, now); err != nil {
			return err
		}
		taken = append(taken, o.Cells...)
	}
	return nil
}

// MarkNoShow records that the person of a held booking did not come; the
// cells stay held (the time has passed). Anything but a held booking
// whose person has not arrived is ECONFLICT.
func (db Appointments) MarkNoShow(ctx context.Context, id int64) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, `UPDATE bookings SET status = 'no_show' WHERE id = ? AND status = 'booked' AND arrived_at IS NULL`, id)
		return oneRow(res, err, permit.ECONFLICT, "appointments.error.not_held")
	})
}

// MarkArrived records that the person of a held booking came to the
// counter, once: it returns the time recorded, the first one when the
// code is read again (nothing is written then, nor audited). Anything but
// a held booking is ECONFLICT.
func (db Appointments) MarkArrived(ctx context.Context, id int64) (time.Time, error) {
	var at time.Time
	err := db.inWrite(ctx, func(tx *Tx) error {
		cur, err := scanBooking(tx.queryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if cur.Arrived() {
			at = cur.ArrivedAt
			return errAlreadyArrived
		}
		at = db.clock.Now().UTC()
		res, err := tx.exec(ctx, `UPDATE bookings SET arrived_at = ? WHERE id = ? AND status = 'booked' AND arrived_at IS NULL`, at, id)
		return oneRow(res, err, permit.ECONFLICT, "appointments.error.not_held")
	})
	if errors.Is(err, errAlreadyArrived) {
		return at, nil
	}
	return at, err
}

// errAlreadyArrived rolls back the write of an arrival already recorded,
// with the audit entry it carries.
var errAlreadyArrived = errors.New("store: the arrival is already recorded")

// FigureBookings returns what a prefecture's appointment figures are
// computed from (casework.Appointments.Figures): its bookings made since
// since, those whose time began since since, and every request still
// waiting.
func (db Appointments) FigureBookings(ctx context.Context, prefecture string, since time.Time) ([]*permit.Booking, error) {
	var out []*permit.Booking
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		out, err = tx.bookings(ctx, `WHERE prefecture_code = ? AND (created_at >= ? OR starts_at >= ? OR status = 'waiting') ORDER BY id`,
			prefecture, since.UTC(), since.UTC())
		return err
	})
	return out, err
}

// A closure of a site (permit.BookingSession.Closed) is stored among the
// sessions, marked by its closed column, so that one read of the sessions
// gives what opens and what closes.

// AddClosure closes a site from c.StartsAt to c.EndsAt: its slots there
// are no longer offered. Bookings already made there stay as they are,
// listed by ClosedBookings for a supervisor to move; nothing is offered
// to the waiting list (a closure frees nothing).
func (db Appointments) AddClosure(ctx context.Context, c *permit.BookingSession) error {
	return db.inWrite(ctx, func(tx *Tx) error {
		if err := lockSite(ctx, tx, c.PrefectureCode, c.Site); err != nil {
			return err
		}
		c.Closed, c.Counters, c.CreatedAt = true, 1, db.clock.Now().UTC()
		err := tx.queryRow(ctx, `INSERT INTO booking_sessions (prefecture_code, site, starts_at, ends_at, counters, added_by, created_at, closed)
			VALUES (?, ?, ?, ?, ?, ?, ?, TRUE) RETURNING id`, c.PrefectureCode, c.Site, c.StartsAt.UTC(), c.EndsAt.UTC(), c.Counters, c.AddedBy, c.CreatedAt).Scan(&c.ID)
		if err == nil {
			tx.made(c.ID)
		}
		return err
	})
}

// Closures lists a prefecture's closures that end after from, by start.
func (db Appointments) Closures(ctx context.Context, prefecture string, from time.Time) ([]*permit.BookingSession, error) {
	var out []*permit.BookingSession
	err := db.inRead(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, `SELECT id, prefecture_code, site, starts_at, ends_at, counters, added_by, created_at FROM booking_sessions
			WHERE prefecture_code = ? AND closed AND ends_at > ? ORDER BY starts_at, id`, prefecture, from.UTC())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s permit.BookingSession
			if err := rows.Scan(&s.ID, &s.PrefectureCode, &s.Site, &s.StartsAt, &s.EndsAt, &s.Counters, &s.AddedBy, &s.CreatedAt); err != nil {
				return err
			}
			s.StartsAt, s.EndsAt, s.CreatedAt = s.StartsAt.UTC(), s.EndsAt.UTC(), s.CreatedAt.UTC()
			s.Closed = true
			out = append(out, &s)
		}
		return rows.Err()
	})
	return out, err
}

// ClosedBookings lists a prefecture's held bookings from from on that
// fall in a closure of their site, by start: a supervisor moves them (or
// tells the person); they are never cancelled silently.
func (db Appointments) ClosedBookings(ctx context.Context, prefecture string, from time.Time) ([]*permit.Booking, error) {
	var out []*permit.Booking
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		out, err = tx.bookings(ctx, `WHERE prefecture_code = ? AND status = 'booked' AND ends_at > ? AND EXISTS (SELECT 1 FROM booking_sessions c
			WHERE c.prefecture_code = bookings.prefecture_code AND c.site = bookings.site AND c.closed AND c.starts_at < bookings.ends_at AND c.ends_at > bookings.starts_at)
			ORDER BY starts_at, counter`, prefecture, from.UTC())
		return err
	})
	return out, err
}

// reminderScope is the scope of idempotency_keys under which each
// reminder sent is kept, keyed "booking@start" (a moved booking is
// reminded of its new time); these keys are never read as a form's
// one-time key, and nothing deletes them but this room.
const reminderScope = "booking-reminder"

func reminderKey(b *permit.Booking) string {
	return strconv.FormatInt(b.ID, 10) + "@" + strconv.FormatInt(b.StartsAt.Unix(), 10)
}

// DueReminders lists up to limit held bookings with an e-mail address
// whose time starts from from to to and whose reminder for that time is
// not yet written, by start.
func (db Appointments) DueReminders(ctx context.Context, from, to time.Time, limit int) ([]*permit.Booking, error) {
	var out []*permit.Booking
	err := db.inRead(ctx, func(tx *Tx) error {
		all, err := tx.bookings(ctx, `WHERE status = 'booked' AND email <> '' AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, id`, from.UTC(), to.UTC())
		if err != nil {
			return err
		}
		for _, b := range all {
			if len(out) == limit {
				break
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM idempotency_keys WHERE scope = ? AND key = ?`, reminderScope, reminderKey(b)).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				out = append(out, b)
			}
		}
		return nil
	})
	return out, err
}

// Remind writes a booking's reminder mail with the key that says it is
// written, in one transaction, if the booking is still held at the same
// time and not yet reminded of it; it reports whether it wrote. Two
// sweeps at once write it once: the second meets the key.
func (db Appointments) Remind(ctx context.Context, b *permit.Booking, m *permit.Mail) (bool, error) {
	wrote := false
	err := db.inWrite(ctx, func(tx *Tx) error {
		cur, err := scanBooking(tx.queryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE id = ?`, b.ID))
		if err != nil {
			return err
		}
		if cur.Status != permit.BookingBooked || !cur.StartsAt.Equal(b.StartsAt) {
			return nil
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM idempotency_keys WHERE scope = ? AND key = ?`, reminderScope, reminderKey(b)).Scan(&n); err != nil || n > 0 {
			return err
		}
		now := db.clock.Now().UTC()
		if err := insertMail(ctx, tx, m, now); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO idempotency_keys (scope, key, kind, made_id, created_at) VALUES (?, ?, ?, ?, ?)`,
			reminderScope, reminderKey(b), "reminder", m.ID, now); err != nil {
			if uniqueViolation(err) {
				return errReminded // another sweep wrote it since: its mail stands, this one rolls back
			}
			return err
		}
		wrote = true
		return nil
	})
	if errors.Is(err, errReminded) {
		return false, nil
	}
	return wrote, err
}

// errReminded ends the transaction of a reminder that another sweep
// wrote first. The key's unique violation is seen inside the transaction:
// once the transaction has returned, the error is translated (ECONFLICT)
// and the driver's code is no longer there to read.
var errReminded = errors.New("store: reminder written by another sweep")

// CollectionBooking returns the card collection booking of an
// application that stands (booked or waiting), or ENOTFOUND.
func (db Appointments) CollectionBooking(ctx context.Context, applicationID int64) (*permit.Booking, error) {
	var b *permit.Booking
	err := db.inRead(ctx, func(tx *Tx) (err error) {
		b, err = scanBooking(tx.queryRow(ctx, `SELECT `+bookingColumns+` FROM bookings WHERE application_id = ? AND kind = ? AND status IN ('booked', 'waiting')
			ORDER BY id DESC LIMIT 1`, applicationID, string(permit.BookingCard)))
		return err
	})
	return b, err
}
