package casework

import (
	"context"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// AppointmentStore is what counter appointments need from the database
// (store.Appointments).
type AppointmentStore interface {
	Book(ctx context.Context, b *permit.Booking, cells []permit.Cell, mail func(*permit.Booking) *permit.Mail) error
	Booking(ctx context.Context, id int64) (*permit.Booking, error)
	Agenda(ctx context.Context, prefecture string, from, to time.Time) ([]*permit.Booking, error)
	WaitingList(ctx context.Context, prefecture string) ([]*permit.Booking, error)
	Calendar(ctx context.Context, prefecture, site string, from time.Time) ([]permit.Cell, []*permit.BookingSession, error)
	CancelBooking(ctx context.Context, id int64, m *permit.Mail, offer permit.OfferFunc) error
	MoveBooking(ctx context.Context, id int64, to *permit.SlotOffer, m *permit.Mail, offer permit.OfferFunc) error
	AddSession(ctx context.Context, s *permit.BookingSession, offer permit.OfferFunc) error
	AddClosure(ctx context.Context, c *permit.BookingSession) error
	Closures(ctx context.Context, prefecture string, from time.Time) ([]*permit.BookingSession, error)
	ClosedBookings(ctx context.Context, prefecture string, from time.Time) ([]*permit.Booking, error)
	CollectionBooking(ctx context.Context, applicationID int64) (*permit.Booking, error)
	MarkNoShow(ctx context.Context, id int64) error
	MarkArrived(ctx context.Context, id int64) (time.Time, error)
	FigureBookings(ctx context.Context, prefecture string, since time.Time) ([]*permit.Booking, error)
	DueReminders(ctx context.Context, from, to time.Time, limit int) ([]*permit.Booking, error)
	Remind(ctx context.Context, b *permit.Booking, m *permit.Mail) (bool, error)
}

// Appointments are counter appointments (issue 18): free slots computed
// from the schedule (rules.Schedule) minus what is held, booking by the
// person (with or without an account) or by an agent for a caller, the
// waiting list when nothing is free within the guaranteed delay, and the
// offers made to it whenever a slot frees or is added.
type Appointments struct {
	*core
	Store    AppointmentStore
	Schedule *rules.Schedule
}

// The purposes of the appointments' signed tokens (Config.Tokens).
const (
	manageTokenPurpose = "appointment-manage"
	counterCodePurpose = "appointment-code"
	maxSlotsShown      = 24
)

// Slot is a free slot: a counter of a site from StartsAt to EndsAt.
type Slot struct {
	Counter  int
	StartsAt time.Time
	EndsAt   time.Time
}

// Value is how a form names a slot: "counter:unix seconds".
func (s Slot) Value() string { return fmt.Sprintf("%d:%d", s.Counter, s.StartsAt.Unix()) }

// BookingForm is what a booking asks: where, what for, why, who, and the
// slot chosen ("wait": the waiting list, offered when no slot is free
// within the guaranteed delay).
type BookingForm struct {
	Prefecture, Site string
	Kind             string
	Reason           string
	ApplicationID    string
	PermitEnds       string // YYYY-MM-DD, optional: a permit ending sooner shortens the delay
	Name, Email      string
	Phone            string
	Slot             string
	Channel          string // for an agent: counter or phone
	Lang             string
}

// SlotChoice is what the booking page offers for a site and a kind: the
// free slots within the guaranteed delay, or, when there are none, the
// waiting list with its deadline. Never only "no slot".
type SlotChoice struct {
	Site     *rules.Site
	Deadline time.Time
	Urgent   bool
	Slots    []Slot
}

func (s *Appointments) schedule() (*rules.Schedule, error) {
	if s.Schedule == nil {
		return nil, permit.Errorf(permit.EUNAVAILABLE, "error.unavailable")
	}
	return s.Schedule, nil
}

// urgent says whether the shorter delay applies: an outage blocked
// filing, or the permit ends before the standard deadline.
func urgent(p *rules.AppointmentPrefecture, reason permit.BookingReason, permitEnds string, now time.Time) bool {
	if reason == permit.ReasonOutage {
		return true
	}
	end, err := time.ParseInLocation(time.DateOnly, permitEnds, permit.Paris)
	return err == nil && end.Before(p.Delays.Deadline(now, false))
}

// Choice returns the slots offered for a site and kind to a request of
// reason (and permit end), within its guaranteed delay.
func (s *Appointments) Choice(ctx context.Context, f BookingForm) (*SlotChoice, error) {
	sched, err := s.schedule()
	if err != nil {
		return nil, err
	}
	p, site := sched.Prefecture(f.Prefecture), sched.Site(f.Prefecture, f.Site)
	kind := permit.BookingKind(f.Kind)
	if site == nil || !site.Offers(kind) {
		return nil, permit.Invalid(map[string]string{"site": "appointments.error.site"})
	}
	now := s.Clock.Now()
	c := &SlotChoice{Site: site, Urgent: urgent(p, permit.BookingReason(f.Reason), f.PermitEnds, now)}
	c.Deadline = p.Delays.Deadline(now, c.Urgent)
	taken, sessions, err := s.Store.Calendar(ctx, f.Prefecture, f.Site, now)
	if err != nil {
		return nil, err
	}
	c.Slots = freeSlots(sched, site, kind, taken, sessions, now, c.Deadline, maxSlotsShown)
	return c, nil
}

// freeSlots lists up to limit free slots of a kind at a site starting
// from from to until, one per start time (the first free counter), in
// order: the site's weekly hours and the extra sessions, minus the cells
// held and the closures.
func freeSlots(sched *rules.Schedule, site *rules.Site, kind permit.BookingKind, taken []permit.Cell, sessions []*permit.BookingSession, from, until time.Time, limit int) []Slot {
	held := map[[2]int64]bool{}
	for _, c := range taken {
		held[[2]int64{int64(c.Counter), c.At.Unix()}] = true
	}
	step, length := sched.Step(), sched.Length(kind)
	if step <= 0 || length <= 0 {
		return nil
	}
	type span struct {
		from, to time.Time
		counters []int
	}
	var spans []span
	siteCounters := make([]int, site.Counters)
	for i := range siteCounters {
		siteCounters[i] = i + 1
	}
	fromDay := from.In(permit.Paris)
	for d := 0; ; d++ {
		day := time.Date(fromDay.Year(), fromDay.Month(), fromDay.Day()+d, 12, 0, 0, 0, permit.Paris)
		if !day.Add(-12 * time.Hour).Before(until) {
			break
		}
		for _, o := range site.Opening(day) {
			spans = append(spans, span{o[0], o[1], siteCounters})
		}
	}
	var closed [][2]time.Time
	for _, se := range sessions {
		if se.Closed {
			closed = append(closed, [2]time.Time{se.StartsAt, se.EndsAt})
			continue
		}
		cs := make([]int, se.Counters)
		for i := range cs {
			cs[i] = permit.SessionCounter(se.ID, i+1)
		}
		spans = append(spans, span{se.StartsAt, se.EndsAt, cs})
	}
	byStart := map[int64]Slot{}
	for _, sp := range spans {
		for t := sp.from; !t.Add(length).After(sp.to); t = t.Add(step) {
			if !t.After(from) || !t.Before(until) {
				continue
			}
			if _, ok := byStart[t.Unix()]; ok || inClosure(closed, t, t.Add(length)) {
				continue
			}
			for _, counter := range sp.counters {
				if free(held, counter, t, length, step) {
					byStart[t.Unix()] = Slot{Counter: counter, StartsAt: t.UTC(), EndsAt: t.Add(length).UTC()}
					break
				}
			}
		}
	}
	out := make([]Slot, 0, len(byStart))
	for _, sl := range byStart {
		out = append(out, sl)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].StartsAt.Before(out[j].StartsAt) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// inClosure reports whether the time from from to to meets a closure.
func inClosure(closed [][2]time.Time, from, to time.Time) bool {
	for _, c := range closed {
		if from.Before(c[1]) && to.After(c[0]) {
			return true
		}
	}
	return false
}

func free(held map[[2]int64]bool, counter int, t time.Time, length, step time.Duration) bool {
	for c := t; c.Before(t.Add(length)); c = c.Add(step) {
		if held[[2]int64{int64(counter), c.Unix()}] {
			return false
		}
	}
	return true
}

// cellsOf are the cells a slot holds.
func (s *Appointments) cellsOf(sl Slot) []permit.Cell {
	var out []permit.Cell
	for c := sl.StartsAt; c.Before(sl.EndsAt); c = c.Add(s.Schedule.Step()) {
		out = append(out, permit.Cell{Counter: sl.Counter, At: c.UTC()})
	}
	return out
}

// Book books a slot, or puts the request on the waiting list when none
// is free within its delay, and mails the confirmation when an address
// is given. acc is the person's account, an agent booking for a caller
// (of one of their prefectures), or nil. A slot taken meanwhile is
// ECONFLICT "appointments.error.taken" on the slot field.
func (s *Appointments) Book(ctx context.Context, acc *permit.Account, f BookingForm) (*permit.Booking, error) {
	b, err := s.validate(ctx, acc, &f)
	if err != nil {
		return nil, err
	}
	choice, err := s.Choice(ctx, f)
	if err != nil {
		return nil, err
	}
	b.Deadline, b.Urgent = choice.Deadline, choice.Urgent
	if len(choice.Slots) > 0 { // the earliest first: what the figures measure
		b.FirstFreeAt = choice.Slots[0].StartsAt
	}
	var cells []permit.Cell
	if f.Slot == "wait" {
		if len(choice.Slots) > 0 {
			return nil, permit.Invalid(map[string]string{"slot": "appointments.error.slot_free"})
		}
		b.Status = permit.BookingWaiting
	} else {
		sl, ok := findSlot(choice.Slots, f.Slot)
		if !ok {
			return nil, permit.Invalid(map[string]string{"slot": "appointments.error.slot"})
		}
		b.Status, b.Counter, b.StartsAt, b.EndsAt = permit.BookingBooked, sl.Counter, sl.StartsAt, sl.EndsAt
		cells = s.cellsOf(sl)
	}
	if acc.Staff() {
		ctx = audit.With(ctx, audit.Entry{ActorAccountID: acc.ID, Action: "appointment_book", Detail: f.Prefecture + "/" + f.Site,
			Resolve: func(e *audit.Entry) { e.Detail += " #" + strconv.FormatInt(b.ID, 10) }})
	}
	err = s.Store.Book(ctx, b, cells, func(b *permit.Booking) *permit.Mail { return s.bookingMail(b, "appointments.mail.booked") })
	if taken(err) {
		return nil, permit.Invalid(map[string]string{"slot": "appointments.error.taken"})
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}

func findSlot(slots []Slot, value string) (Slot, bool) {
	for _, sl := range slots {
		if sl.Value() == value {
			return sl, true
		}
	}
	return Slot{}, false
}

// validate checks a booking form and returns the booking it asks for.
func (s *Appointments) validate(ctx context.Context, acc *permit.Account, f *BookingForm) (*permit.Booking, error) {
	sched, err := s.schedule()
	if err != nil {
		return nil, err
	}
	if s.Tokens == nil { // no signed link or code can be given
		return nil, permit.Errorf(permit.EUNAVAILABLE, "error.unavailable")
	}
	errs := map[string]string{}
	b := &permit.Booking{PrefectureCode: f.Prefecture, Site: f.Site, Kind: permit.BookingKind(f.Kind), Reason: permit.BookingReason(f.Reason),
		Name: strings.TrimSpace(f.Name), Email: strings.TrimSpace(f.Email), Phone: strings.TrimSpace(f.Phone), Lang: s.Tr.Supported(f.Lang), Channel: permit.ChannelOnline}
	if site := sched.Site(f.Prefecture, f.Site); site == nil {
		errs["site"] = "appointments.error.site"
	} else if !b.Kind.Valid() || !site.Offers(b.Kind) {
		errs["kind"] = "appointments.error.kind"
	}
	if !b.Reason.Valid() {
		errs["reason"] = "appointments.error.reason"
	}
	if b.Name == "" || len(b.Name) > 200 {
		errs["name"] = "appointments.error.name"
	}
	if b.Email != "" {
		if a, err := mail.ParseAddress(b.Email); err != nil || a.Address != b.Email {
			errs["email"] = "appointments.error.email"
		}
	}
	if b.Phone != "" && !phoneLike(b.Phone) {
		errs["phone"] = "appointments.error.phone"
	}
	if b.Email == "" && b.Phone == "" {
		errs["email"] = "appointments.error.contact"
	}
	if f.PermitEnds != "" {
		if _, err := time.Parse(time.DateOnly, f.PermitEnds); err != nil {
			errs["permit_ends"] = "appointments.error.date"
		}
	}
	switch {
	case acc.Staff():
		if errs["site"] == "" {
			if err := s.agentFor(ctx, acc, f.Prefecture); err != nil {
				return nil, err
			}
		}
		b.BookedBy, b.Channel = acc.ID, permit.Channel(f.Channel)
		if b.Channel != permit.ChannelCounter && b.Channel != permit.ChannelPhone {
			errs["channel"] = "appointments.error.channel"
		}
	case acc != nil && acc.Role == permit.RoleApplicant:
		b.AccountID = acc.ID
		if b.Reason == permit.ReasonApplication && f.ApplicationID != "" {
			id, _ := strconv.ParseInt(f.ApplicationID, 10, 64)
			if _, _, err := s.own(ctx, acc, id); err != nil {
				errs["application"] = "appointments.error.application"
			}
			b.ApplicationID = id
		}
	}
	if len(errs) > 0 {
		return nil, permit.Invalid(errs)
	}
	return b, nil
}

func phoneLike(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case r == ' ' || r == '.' || r == '-' || r == '+' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}

// agentFor checks that a staff account works for the prefecture of a
// code: anything else is not found.
func (s *Appointments) agentFor(ctx context.Context, acc *permit.Account, code string) error {
	all, err := s.People.Prefectures(ctx)
	if err != nil {
		return err
	}
	for _, p := range all {
		if p.Code == code && acc.WorksFor(p.ID) {
			return nil
		}
	}
	return errNotFound
}

// ManageToken is the signed token of a booking's own page (the link of
// its mails and of its confirmation): whoever holds it may see,
// reschedule and cancel the booking, and nothing else.
func (s *Appointments) ManageToken(b *permit.Booking) string {
	return s.Tokens.Sign(manageTokenPurpose, idBytes(b.ID))
}

// CounterCode is the code the counter reads (typed or scanned from its
// QR code): the booking's number and an HMAC of it, so that a code
// cannot be made up.
func (s *Appointments) CounterCode(b *permit.Booking) string {
	sig := s.Tokens.Sign(counterCodePurpose, idBytes(b.ID))
	_, mac, _ := strings.Cut(sig, ".")
	if len(mac) > 16 {
		mac = mac[:16]
	}
	return "RDV-" + strconv.FormatInt(b.ID, 10) + "-" + mac
}

// ByCode returns the booking a counter code names, for an agent of its
// prefecture; a code that is not signed, or another prefecture's, is not
// found.
//
// (The HMAC part is base64url, which has "-" of its own.)
func (s *Appointments) ByCode(ctx context.Context, acc *permit.Account, code string) (*permit.Booking, error) {
	id, ok := counterCodeID(code)
	if !ok {
		return nil, errNotFound
	}
	b, err := s.Store.Booking(ctx, id)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(s.CounterCode(b)), []byte(strings.TrimSpace(code))) != 1 {
		return nil, errNotFound
	}
	if err := s.agentFor(ctx, acc, b.PrefectureCode); err != nil {
		return nil, err
	}
	return b, nil
}

func idBytes(id int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(id)) }

// ByToken returns the booking a manage token names; a forged or altered
// token is not found.
func (s *Appointments) ByToken(ctx context.Context, token string) (*permit.Booking, error) {
	if s.Tokens == nil {
		return nil, errNotFound
	}
	b, ok := s.Tokens.Open(manageTokenPurpose, token)
	if !ok || len(b) != 8 {
		return nil, errNotFound
	}
	return s.Store.Booking(ctx, int64(binary.BigEndian.Uint64(b)))
}

// Cancel cancels the booking of a manage token, mails the person, and in
// the same transaction offers the freed slot to the waiting list.
func (s *Appointments) Cancel(ctx context.Context, token string) (*permit.Booking, error) {
	b, err := s.ByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CancelBooking(ctx, b.ID, s.bookingMail(b, "appointments.mail.cancelled"), s.offer()); err != nil {
		return nil, err
	}
	b.Status = permit.BookingCancelled
	return b, nil
}

// Reschedule moves the booking of a manage token to another free slot
// of its site and kind, and offers the one it leaves to the waiting list.
func (s *Appointments) Reschedule(ctx context.Context, token, slot string) (*permit.Booking, error) {
	b, err := s.ByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	if b.Status != permit.BookingBooked {
		return nil, permit.Errorf(permit.ECONFLICT, "appointments.error.not_held")
	}
	choice, err := s.Choice(ctx, BookingForm{Prefecture: b.PrefectureCode, Site: b.Site, Kind: string(b.Kind), Reason: string(b.Reason)})
	if err != nil {
		return nil, err
	}
	sl, ok := findSlot(choice.Slots, slot)
	if !ok {
		return nil, permit.Invalid(map[string]string{"slot": "appointments.error.slot"})
	}
	moved := *b
	moved.Counter, moved.StartsAt, moved.EndsAt = sl.Counter, sl.StartsAt, sl.EndsAt
	to := &permit.SlotOffer{Counter: sl.Counter, StartsAt: sl.StartsAt, EndsAt: sl.EndsAt, Cells: s.cellsOf(sl)}
	err = s.Store.MoveBooking(ctx, b.ID, to, s.bookingMail(&moved, "appointments.mail.moved"), s.offer())
	if taken(err) {
		return nil, permit.Invalid(map[string]string{"slot": "appointments.error.taken"})
	}
	return &moved, err
}

// offer is the decision the store asks for each waiting request when
// slots free or are added: the earliest free slot of its kind at its
// site within its deadline (any, once the deadline has passed), with the
// mail that tells the person.
func (s *Appointments) offer() permit.OfferFunc {
	sched := s.Schedule
	now := s.Clock.Now()
	return func(w *permit.Booking, taken []permit.Cell, sessions []*permit.BookingSession) *permit.SlotOffer {
		site := sched.Site(w.PrefectureCode, w.Site)
		if site == nil {
			return nil
		}
		until := w.Deadline
		if !now.Before(until) { // overdue: the first slot that frees or is added, whenever it is
			until = now.AddDate(0, 0, sched.HorizonDays)
		}
		slots := freeSlots(sched, site, w.Kind, taken, sessions, now, until, 1)
		if len(slots) == 0 {
			return nil
		}
		sl := slots[0]
		given := *w
		given.Status, given.Offered, given.Counter, given.StartsAt, given.EndsAt = permit.BookingBooked, true, sl.Counter, sl.StartsAt, sl.EndsAt
		return &permit.SlotOffer{Counter: sl.Counter, StartsAt: sl.StartsAt, EndsAt: sl.EndsAt, Cells: s.cellsOf(sl),
			Mail: s.bookingMail(&given, "appointments.mail.offered")}
	}
}

// bookingMail is a mail about a booking in its language (key.subject,
// key.body), with its time, place, code and signed link; nil without an
// e-mail address (phone only: SMS-ready later).
func (s *Appointments) bookingMail(b *permit.Booking, key string) *permit.Mail {
	if b.Email == "" || s.Tokens == nil {
		return nil
	}
	site := s.Schedule.Site(b.PrefectureCode, b.Site)
	if site == nil {
		return nil
	}
	when := s.Tr.T(b.Lang, "appointments.when_waiting", i18nDate(s.Tr, b.Lang, b.Deadline))
	if b.Held() {
		t := b.StartsAt.In(permit.Paris)
		when = s.Tr.T(b.Lang, "appointments.when", i18nDate(s.Tr, b.Lang, t), t.Format("15:04"))
	}
	link := strings.TrimSuffix(s.BaseURL, "/") + paths.AppointmentManage.Format(s.ManageToken(b))
	return &permit.Mail{To: b.Email, Subject: s.Tr.T(b.Lang, key+".subject"),
		Text: s.Tr.T(b.Lang, key+".body", b.Name, when, site.Name.In(b.Lang), site.Address, s.Tr.T(b.Lang, "appointments.kind."+string(b.Kind)),
			s.CounterCode(b), link)}
}

// i18nDate writes a day in words in a language when the translator can
// (the catalogue can), else as YYYY-MM-DD.
func i18nDate(tr Translator, lang string, t time.Time) string {
	if d, ok := tr.(interface {
		Date(string, time.Time) string
	}); ok {
		return d.Date(lang, t.In(permit.Paris))
	}
	return t.In(permit.Paris).Format(time.DateOnly)
}

// taken reports whether err is a slot someone else booked first.
func taken(err error) bool {
	k, _ := permit.ErrorMessage(err)
	return err != nil && k == "appointments.error.taken"
}

// newAppointments assembles the appointments on the embedded schedule,
// which app.Open checked at start-up (nil when it is wrong: every
// method then answers "unavailable").
func newAppointments(c *core, st AppointmentStore) *Appointments {
	sched, _ := rules.Appointments()
	return &Appointments{core: c, Store: st, Schedule: sched}
}

// ToBring lists the documents to bring to a booking: the catalogue's
// documents for the ground and kind of the application it is for; none
// when no application is given (the page then says what to bring in
// general).
func (s *Appointments) ToBring(ctx context.Context, b *permit.Booking) ([]*rules.Document, error) {
	if b.ApplicationID == 0 {
		return nil, nil
	}
	a, err := s.People.Application(ctx, b.ApplicationID)
	if err != nil {
		return nil, err
	}
	return s.Rules.RequiredDocuments(a.Ground, a.Kind)
}

// Applications lists an applicant's applications, to say which one a
// booking is for; none for anyone else.
func (s *Appointments) Applications(ctx context.Context, acc *permit.Account) ([]*permit.Application, error) {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return nil, nil
	}
	p, err := s.People.PersonByAccount(ctx, acc.ID)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return s.People.ApplicationsByPerson(ctx, p.ID)
}

// counterCodeID reads the booking's number of a counter code
// "RDV-<number>-<HMAC>": the prefix and the number are split off and the
// rest kept whole, since the HMAC's base64url may hold "-" too.
func counterCodeID(code string) (int64, bool) {
	parts := strings.SplitN(strings.TrimSpace(code), "-", 3)
	if len(parts) != 3 || parts[0] != "RDV" || parts[2] == "" {
		return 0, false
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	return id, err == nil
}
