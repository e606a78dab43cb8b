// Package calendar writes a person's legal dates as an iCalendar feed
// (RFC 5545, with github.com/emersion/go-ical): all-day events for the
// renewal window, the permit's last day, attestation periods, completion
// deadlines and the implicit-rejection day; timed events, in
// Europe/Paris, for counter appointments. The words come from the
// translation catalogue in the person's language.
package calendar

import (
	"io"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/sejour/sejour/internal/permit"
)

// Translator gives the events' words.
type Translator interface {
	T(lang, key string, args ...any) string
}

// ContentType is the feed's media type.
const ContentType = "text/calendar; charset=utf-8"

// Feed is what Write needs: the dates, their language, the instant of
// the feed (DTSTAMP), the host that makes the events' UIDs unique, and
// the link to the person's dashboard.
type Feed struct {
	Dates []permit.LegalDate
	Lang  string
	Now   time.Time
	Host  string
	Link  string
}

// Write encodes f as one VCALENDAR.
func Write(w io.Writer, f Feed, tr Translator) error {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropProductID, "-//sejour//legal dates//"+strings.ToUpper(f.Lang))
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropMethod, "PUBLISH")
	cal.Props.SetText(ical.PropName, tr.T(f.Lang, "reminders.ics.name"))
	cal.Children = append(cal.Children, paris())
	for _, d := range f.Dates {
		cal.Children = append(cal.Children, event(d, f, tr).Component)
	}
	return ical.NewEncoder(w).Encode(cal)
}

func event(d permit.LegalDate, f Feed, tr Translator) *ical.Event {
	e := ical.NewEvent()
	e.Props.SetText(ical.PropUID, d.UID+"@"+f.Host)
	e.Props.SetDateTime(ical.PropDateTimeStamp, f.Now.UTC())
	key := "reminders.ics." + string(d.Kind)
	var detail []any // only the kinds that name something take it
	if d.Detail != "" {
		detail = append(detail, d.Detail)
	}
	summary := tr.T(f.Lang, key+".summary")
	if d.Kind == permit.DateAttestation {
		summary = tr.T(f.Lang, key+".summary", detail...)
	}
	e.Props.SetText(ical.PropSummary, summary)
	e.Props.SetText(ical.PropDescription, tr.T(f.Lang, key+".description", detail...)+"\n"+f.Link)
	e.Props.SetText(ical.PropTransparency, "TRANSPARENT")
	if d.Kind == permit.DateAppointment {
		e.Props.SetDateTime(ical.PropDateTimeStart, d.At.In(permit.Paris))
		e.Props.SetDateTime(ical.PropDateTimeEnd, d.Until.In(permit.Paris))
		e.Props.SetText(ical.PropLocation, d.Detail)
		e.Props.SetText(ical.PropTransparency, "OPAQUE")
		return e
	}
	last := d.Day
	if !d.End.IsZero() {
		last = d.End
	}
	// DTEND of an all-day event is the day after its last (exclusive).
	e.Props.SetDate(ical.PropDateTimeStart, d.Day)
	e.Props.SetDate(ical.PropDateTimeEnd, last.AddDate(0, 0, 1))
	return e
}

// paris is the VTIMEZONE of Europe/Paris that the appointments' TZID
// names (RFC 5545, 3.6.5): the EU's rule since 1996, summer time from
// the last Sunday of March at 02:00 to the last Sunday of October at
// 03:00.
func paris() *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, permit.Paris.String())
	rule := func(name, from, to, tzname, start, month string) *ical.Component {
		c := ical.NewComponent(name)
		for _, p := range [][2]string{{ical.PropTimezoneOffsetFrom, from}, {ical.PropTimezoneOffsetTo, to}, {ical.PropTimezoneName, tzname}, {ical.PropDateTimeStart, start}} {
			prop := ical.NewProp(p[0])
			prop.Value = p[1]
			c.Props.Set(prop)
		}
		rr := ical.NewProp(ical.PropRecurrenceRule)
		rr.Value = "FREQ=YEARLY;BYMONTH=" + month + ";BYDAY=-1SU"
		c.Props.Set(rr)
		return c
	}
	tz.Children = append(tz.Children,
		rule(ical.CompTimezoneDaylight, "+0100", "+0200", "CEST", "19960331T020000", "3"),
		rule(ical.CompTimezoneStandard, "+0200", "+0100", "CET", "19961027T030000", "10"))
	return tz
}
