package casework

import (
	"context"
	"strconv"
	"strings"

	"github.com/sejour/sejour/internal/permit"
)

// Collection is what an applicant whose card is ready is offered on
// their application's page (issue 18 part 4): the booking of kind
// card_collection that stands for the application, if any; else, for
// each site of its prefecture that hands out cards, the free slots
// within the guaranteed delay, or the waiting list when there are none.
type Collection struct {
	Booking *permit.Booking // booked or waiting; nil when none
	Token   string          // the signed link of Booking's own page
	Code    string          // Booking's counter code
	Choices []*SlotChoice
}

// CollectionValue is how the collection form names a slot of a site
// ("site/counter:unix seconds"), or the waiting list of a site
// ("site/wait").
func CollectionValue(site string, sl *Slot) string {
	if sl == nil {
		return site + "/wait"
	}
	return site + "/" + sl.Value()
}

// collectionApp returns an applicant's own application whose card is
// ready, with its person and prefecture code; another person's is not
// found, and an application whose card is not ready is ECONFLICT.
func (s *Appointments) collectionApp(ctx context.Context, acc *permit.Account, appID int64) (*permit.Person, *permit.Application, string, error) {
	p, a, err := s.own(ctx, acc, appID)
	if err != nil {
		return nil, nil, "", err
	}
	if a.State != permit.StateCardReady {
		return nil, nil, "", permit.Errorf(permit.ECONFLICT, "collection.error.not_ready")
	}
	pref, err := s.People.Prefecture(ctx, a.PrefectureID)
	if err != nil {
		return nil, nil, "", err
	}
	return p, a, pref.Code, nil
}

// Collection returns what the applicant is offered to collect the card
// of their application: the booking that stands, or the slots.
func (s *Appointments) Collection(ctx context.Context, acc *permit.Account, appID int64) (*Collection, error) {
	sched, err := s.schedule()
	if err != nil {
		return nil, err
	}
	_, a, code, err := s.collectionApp(ctx, acc, appID)
	if err != nil {
		return nil, err
	}
	c := &Collection{}
	b, err := s.Store.CollectionBooking(ctx, a.ID)
	switch {
	case err == nil:
		c.Booking = b
		if s.Tokens != nil {
			c.Token, c.Code = s.ManageToken(b), s.CounterCode(b)
		}
		return c, nil
	case permit.ErrorCode(err) != permit.ENOTFOUND:
		return nil, err
	}
	p := sched.Prefecture(code)
	if p == nil {
		return c, nil
	}
	for _, site := range p.Sites {
		if !site.Offers(permit.BookingCard) {
			continue
		}
		ch, err := s.Choice(ctx, BookingForm{Prefecture: code, Site: site.ID, Kind: string(permit.BookingCard), Reason: string(permit.ReasonApplication)})
		if err != nil {
			return nil, err
		}
		c.Choices = append(c.Choices, ch)
	}
	return c, nil
}

// BookCollection books the slot the applicant picked to collect the card
// of their application (a value of CollectionValue), through Book, so
// that the cells, the waiting list and the confirmation apply as to any
// booking. The booking is the application's, in the applicant's name and
// language, mailed to their account's address.
func (s *Appointments) BookCollection(ctx context.Context, acc *permit.Account, appID int64, value string) (*permit.Booking, error) {
	p, a, code, err := s.collectionApp(ctx, acc, appID)
	if err != nil {
		return nil, err
	}
	site, slot, ok := strings.Cut(value, "/")
	if !ok || site == "" || slot == "" {
		return nil, permit.Invalid(map[string]string{"slot": "appointments.error.slot"})
	}
	name := strings.TrimSpace(p.GivenNames + " " + p.Surname)
	return s.Book(ctx, acc, BookingForm{Prefecture: code, Site: site, Kind: string(permit.BookingCard), Reason: string(permit.ReasonApplication),
		ApplicationID: strconv.FormatInt(a.ID, 10), Name: name, Email: acc.Email, Slot: slot, Lang: acc.Lang})
}

// StaffCollection returns the card collection booking that stands for an
// application, for the staff of its prefecture (nil when none); anyone
// else gets not found.
func (s *Appointments) StaffCollection(ctx context.Context, acc *permit.Account, appID int64) (*permit.Booking, error) {
	if _, err := s.staff(ctx, acc, appID); err != nil {
		return nil, err
	}
	b, err := s.Store.CollectionBooking(ctx, appID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, nil
	}
	return b, err
}
