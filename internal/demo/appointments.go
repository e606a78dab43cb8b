package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

// BookingStore holds the demonstration's waiting request and finds what
// an earlier run made (store.Appointments).
type BookingStore interface {
	Book(ctx context.Context, b *permit.Booking, cells []permit.Cell, mail func(*permit.Booking) *permit.Mail) error
	WaitingList(ctx context.Context, prefecture string) ([]*permit.Booking, error)
}

// demoBooking is a counter appointment the demonstration books in a
// prefecture, on the first free slot of its site.
type demoBooking struct {
	prefecture, site, name, email, phone string
	kind                                 permit.BookingKind
	reason                               permit.BookingReason
}

var demoBookings = []demoBooking{
	{"75", "cite", "Awa Traoré", "awa.traore@demo.sejour.localhost", "", permit.BookingFiling, permit.ReasonOutage},
	{"75", "cite", "Karim Benali", "", "06 12 34 56 78", permit.BookingDocuments, permit.ReasonNoEmail},
	{"75", "cite", "Sofia Petrova", "sofia.petrova@demo.sejour.localhost", "", permit.BookingPortalHelp, permit.ReasonDeadEnd},
	{"69", "lyon", "Jean-Baptiste Kouassi", "jb.kouassi@demo.sejour.localhost", "", permit.BookingFiling, permit.ReasonOutage},
}

// The demonstration's request on Paris's waiting list, whose presence
// tells a later run that the appointments are loaded.
const waitingName = "Mariam Coulibaly"

// Appointments loads the counter appointments of the demonstration
// (issue 18): a few bookings in Paris and Lyon, each on the first free
// slot of its site, and one request on Paris's waiting list, so that the
// agenda, the waiting list and the figures (in the agenda and on the
// public status page) show something. Like Load, it is idempotent: the
// waiting request marks the work done. It prints counts only.
func Appointments(ctx context.Context, ap *casework.Appointments, st BookingStore, now time.Time, out io.Writer) error {
	waiting, err := st.WaitingList(ctx, "75")
	if err != nil {
		return err
	}
	for _, w := range waiting {
		if w.Name == waitingName {
			return nil
		}
	}
	booked := 0
	for _, d := range demoBookings {
		f := casework.BookingForm{Prefecture: d.prefecture, Site: d.site, Kind: string(d.kind), Reason: string(d.reason),
			Name: d.name, Email: d.email, Phone: d.phone, Lang: "fr"}
		c, err := ap.Choice(ctx, f)
		if err != nil {
			return fmt.Errorf("demonstration slots of %s/%s: %w", d.prefecture, d.site, err)
		}
		if len(c.Slots) == 0 {
			continue
		}
		f.Slot = c.Slots[0].Value()
		if _, err := ap.Book(ctx, nil, f); err != nil {
			return fmt.Errorf("demonstration booking of %s: %w", d.name, err)
		}
		booked++
	}
	// The waiting request is written as the store keeps one: the demo's
	// calendar has free slots, and a person is offered the waiting list
	// only when there are none.
	p := ap.Schedule.Prefecture("75")
	if p == nil {
		return fmt.Errorf("the demonstration schedule has no Paris")
	}
	w := &permit.Booking{PrefectureCode: "75", Site: "cite", Kind: permit.BookingFiling, Reason: permit.ReasonOutage,
		Name: waitingName, Email: "mariam.coulibaly@demo.sejour.localhost", Lang: "fr", Status: permit.BookingWaiting,
		Deadline: p.Delays.Deadline(now, true), Urgent: true, Channel: permit.ChannelOnline}
	if err := st.Book(ctx, w, nil, nil); err != nil {
		return fmt.Errorf("demonstration waiting request: %w", err)
	}
	fmt.Fprintf(out, "\nCounter appointments: %d booked (Paris, Lyon) and 1 request on Paris's waiting list\n", booked)
	return nil
}
