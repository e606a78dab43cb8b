package permit

import "time"

// BookingKind is what a counter appointment (rendez-vous au guichet) is
// for; each kind has its length in the appointments' data (package rules).
type BookingKind string

// The kinds of appointment.
const (
	BookingFiling     BookingKind = "counter_filing"  // filing an application at the counter
	BookingDocuments  BookingKind = "document_check"  // checking documents
	BookingCard       BookingKind = "card_collection" // collecting a card
	BookingPortalHelp BookingKind = "portal_help"     // help with the portal
)

// BookingKinds lists every kind of appointment.
var BookingKinds = []BookingKind{BookingFiling, BookingDocuments, BookingCard, BookingPortalHelp}

// Valid reports whether k is a known kind.
func (k BookingKind) Valid() bool {
	for _, v := range BookingKinds {
		if v == k {
			return true
		}
	}
	return false
}

// BookingReason says why a person needs the counter: an application
// (which one is then given), or a failure of the online channel.
type BookingReason string

// The reasons for an appointment.
const (
	ReasonApplication BookingReason = "application" // an application of the person's
	ReasonOutage      BookingReason = "outage"      // the portal failed when filing
	ReasonNoEmail     BookingReason = "no_email"    // the person has no e-mail address
	ReasonDeadEnd     BookingReason = "dead_end"    // the portal offers no next step
)

// BookingReasons lists every reason.
var BookingReasons = []BookingReason{ReasonApplication, ReasonOutage, ReasonNoEmail, ReasonDeadEnd}

// Valid reports whether r is a known reason.
func (r BookingReason) Valid() bool {
	for _, v := range BookingReasons {
		if v == r {
			return true
		}
	}
	return false
}

// BookingStatus is where a booking stands.
type BookingStatus string

// The statuses of a booking.
const (
	BookingBooked    BookingStatus = "booked"    // a slot is held
	BookingWaiting   BookingStatus = "waiting"   // no slot within the guaranteed delay: on the waiting list
	BookingCancelled BookingStatus = "cancelled" // cancelled by the person
	BookingNoShow    BookingStatus = "no_show"   // the person did not come (recorded by an agent)
)

// Booking is a counter appointment, or a request for one on the waiting
// list. A person without an account is reached by e-mail or phone; a
// booking is managed through a link the portal signs (casework).
type Booking struct {
	ID             int64
	PrefectureCode string // the prefecture's code, as in the appointments' data
	Site           string // the site's id in that data
	Kind           BookingKind
	Reason         BookingReason
	ApplicationID  int64 // with ReasonApplication
	AccountID      int64 // the person's account, when they booked logged in
	Name           string
	Email          string
	Phone          string
	Lang           string // the language of its mails
	Status         BookingStatus
	Counter        int       // zero while waiting
	StartsAt       time.Time // zero while waiting
	EndsAt         time.Time
	// Deadline is the last moment the guaranteed delay allows; Urgent
	// marks the shorter delay (permit ending sooner, an outage).
	Deadline time.Time
	Urgent   bool
	// Offered marks a slot given from the waiting list when one freed
	// or was added.
	Offered   bool
	Channel   Channel // online by the person; counter or phone by an agent
	BookedBy  int64   // the agent who booked it for the person
	CreatedAt time.Time
	// ArrivedAt is when the counter read the booking's code and the
	// person was there; zero until then.
	ArrivedAt time.Time
	// FirstFreeAt is the start of the first slot free when the request
	// was made, whichever the person chose; zero when none was free (the
	// request waited) or for bookings made before it was kept.
	FirstFreeAt time.Time
}

// Arrived reports whether the counter recorded the person's arrival.
func (b *Booking) Arrived() bool { return !b.ArrivedAt.IsZero() }

// Held reports whether the booking holds a slot.
func (b *Booking) Held() bool { return b.Status == BookingBooked }

// BookingSession is an extra session a supervisor adds to a site's
// calendar: Counters counters open from StartsAt to EndsAt; or, when
// Closed, its opposite, a closure: no slot of the site from StartsAt to
// EndsAt is offered, whatever the weekly hours or the sessions open then.
type BookingSession struct {
	ID             int64
	PrefectureCode string
	Site           string
	StartsAt       time.Time
	EndsAt         time.Time
	Counters       int
	Closed         bool
	AddedBy        int64
	CreatedAt      time.Time
}

// SessionCounter numbers the i-th counter (from 1) of an extra session,
// apart from the site's own counters (1 to 99) and from every other
// session's, so that two sessions never share a cell.
func SessionCounter(sessionID int64, i int) int { return int(sessionID)*100 + i }

// Cell is one step of one counter's time: a booking holds every cell
// from its start to its end, and the database holds each cell once.
type Cell struct {
	Counter int
	At      time.Time
}

// SlotOffer is a slot given to a booking: its counter and times, the
// cells it holds, and the mail that tells the person (nil when they gave
// no e-mail address).
type SlotOffer struct {
	Counter  int
	StartsAt time.Time
	EndsAt   time.Time
	Cells    []Cell
	Mail     *Mail
}

// OfferFunc is what casework decides, inside a write that frees or adds
// slots, for each request of the waiting list in turn (most urgent
// first): the slot it is given, or nil. taken is every cell held at the
// site from now on and sessions its extra sessions and closures; the store adds what
// an offer takes to taken before it asks for the next request.
type OfferFunc func(waiting *Booking, taken []Cell, sessions []*BookingSession) *SlotOffer
