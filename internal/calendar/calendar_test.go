package calendar_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/sejour/sejour/internal/calendar"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/permit"
)

// TestFeedParsesBack writes every kind of date and reads the feed back
// with the iCalendar parser: all-day dates as DATE values (DTEND the day
// after the last), the appointment timed in Europe/Paris with its
// VTIMEZONE, texts in the person's language.
func TestFeedParsesBack(t *testing.T) {
	day := func(m time.Month, d int) time.Time { return time.Date(2027, m, d, 0, 0, 0, 0, time.UTC) }
	appt := time.Date(2027, 7, 1, 9, 30, 0, 0, permit.Paris) // summer time: 07:30 UTC
	dates := []permit.LegalDate{
		{Kind: permit.DateWindowOpens, UID: "window-opens-1", Day: day(1, 10)},
		{Kind: permit.DateAttestation, UID: "attestation-API-1", Day: day(5, 10), End: day(8, 9), Detail: "Extension attestation API-1"},
		{Kind: permit.DateImplicitRefusal, UID: "implicit-rejection-3", Day: day(6, 1)},
		{Kind: permit.DateAppointment, UID: "appointment-4", At: appt, Until: appt.Add(30 * time.Minute), Detail: "Cité, 1 rue de Lutèce"},
	}
	var buf bytes.Buffer
	err := calendar.Write(&buf, calendar.Feed{Dates: dates, Lang: "en", Now: time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC),
		Host: "sejour.example", Link: "https://sejour.example/tableau-de-bord"}, i18n.MustLoad())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\r\n") {
		t.Error("lines are not CRLF-terminated")
	}
	cal, err := ical.NewDecoder(&buf).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := cal.Props.Text(ical.PropVersion); v != "2.0" {
		t.Errorf("VERSION %q", v)
	}
	tz := 0
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			tz++
			if id, _ := c.Props.Text(ical.PropTimezoneID); id != "Europe/Paris" {
				t.Errorf("TZID %q", id)
			}
		}
	}
	if tz != 1 {
		t.Errorf("%d VTIMEZONE", tz)
	}
	events := cal.Events()
	if len(events) != len(dates) {
		t.Fatalf("%d events", len(events))
	}
	byUID := map[string]ical.Event{}
	for _, e := range events {
		uid, _ := e.Props.Text(ical.PropUID)
		byUID[uid] = e
	}
	win := byUID["window-opens-1@sejour.example"]
	if p := win.Props.Get(ical.PropDateTimeStart); p == nil || p.ValueType() != ical.ValueDate || p.Value != "20270110" {
		t.Errorf("window DTSTART %+v", p)
	}
	if s, _ := win.Props.Text(ical.PropSummary); s != "Renewal period begins" {
		t.Errorf("summary %q", s)
	}
	att := byUID["attestation-API-1@sejour.example"]
	if p := att.Props.Get(ical.PropDateTimeEnd); p == nil || p.Value != "20270810" {
		t.Errorf("attestation DTEND (the day after its last) %+v", p)
	}
	if s, _ := att.Props.Text(ical.PropSummary); s != "Extension attestation API-1" {
		t.Errorf("attestation summary %q", s)
	}
	rej := byUID["implicit-rejection-3@sejour.example"]
	if d, _ := rej.Props.Text(ical.PropDescription); !strings.Contains(d, "implicit refusal") || !strings.Contains(d, "https://sejour.example/tableau-de-bord") {
		t.Errorf("description %q", d)
	}
	ap := byUID["appointment-4@sejour.example"]
	start, err := ap.DateTimeStart(nil)
	if err != nil || !start.Equal(appt) || ap.Props.Get(ical.PropDateTimeStart).Params.Get(ical.PropTimezoneID) != "Europe/Paris" {
		t.Errorf("appointment start %v (%v), want %v in Europe/Paris", start, err, appt)
	}
	if loc, _ := ap.Props.Text(ical.PropLocation); loc != "Cité, 1 rue de Lutèce" {
		t.Errorf("location %q", loc)
	}
}

// A person with no date yet still gets a valid, empty calendar.
func TestEmptyFeed(t *testing.T) {
	var buf bytes.Buffer
	if err := calendar.Write(&buf, calendar.Feed{Lang: "fr", Now: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Host: "x"}, i18n.MustLoad()); err != nil {
		t.Fatal(err)
	}
	cal, err := ical.NewDecoder(&buf).Decode()
	if err != nil || len(cal.Events()) != 0 {
		t.Fatalf("%v, %d events", err, len(cal.Events()))
	}
}
