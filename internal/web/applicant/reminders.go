package applicant

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"github.com/sejour/sejour/internal/calendar"
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// remindersView is the applicant's reminders page: a checkbox per kind,
// the calendar feed (its address shown once, when made), and the latest
// reminders sent.
type remindersView struct {
	*web.Page
	Kinds    []permit.ReminderKind
	Settings *casework.ReminderSettings
	FeedURL  string // the new feed's address, shown this once
}

// On says whether a kind is received.
func (v *remindersView) On(k permit.ReminderKind) bool { return !v.Settings.Stopped[k] }

// Label says what a kind reminds of, with its lead time in days.
func (v *remindersView) Label(k permit.ReminderKind) string {
	key := "reminders.kind." + string(k)
	switch k {
	case permit.ReminderWindowClosing:
		return v.N(key, permit.ReminderClosingDays)
	case permit.ReminderAttestationEnding:
		return v.N(key, permit.ReminderAttestationDays)
	case permit.ReminderCompletionDue:
		return v.N(key, permit.ReminderCompletionDays)
	}
	return v.T(key)
}

// Name is a kind's short name.
func (v *remindersView) Name(k permit.ReminderKind) string { return v.T("reminders.name." + string(k)) }

// reminders are the reminders' pages and the calendar feed, a room of
// Pages of their own.
type reminders struct{ *Pages }

func (s reminders) show(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "reminders.title")
	switch q := r.URL.Query(); {
	case q.Has("enregistre"):
		p.Notice = "reminders.saved"
	case q.Has("revoque"):
		p.Notice = "reminders.feed.revoked"
	}
	return s.renderReminders(w, r, http.StatusOK, &remindersView{Page: p})
}

func (s reminders) renderReminders(w http.ResponseWriter, r *http.Request, status int, v *remindersView) error {
	st, err := s.Reminders.Settings(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	v.Kinds, v.Settings = permit.ReminderKinds, st
	s.Render(w, r, status, "reminders", v)
	return nil
}

// saveReminders records the kinds checked; the others are stopped.
func (s reminders) saveReminders(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	if err := s.Reminders.SetReceived(r.Context(), web.Account(r), r.PostForm["kind"]); err != nil {
		return err
	}
	http.Redirect(w, r, paths.Reminders.String()+"?enregistre", http.StatusSeeOther)
	return nil
}

// newFeed makes the calendar's token (the previous one stops working)
// and shows its address, this once.
func (s reminders) newFeed(w http.ResponseWriter, r *http.Request) error {
	token, err := s.Reminders.NewFeed(r.Context(), web.Account(r))
	if err != nil {
		return err
	}
	p := s.Page(r, "reminders.title")
	p.Notice = "reminders.feed.made"
	feed := strings.TrimSuffix(s.BaseURL, "/") + paths.Calendar.Format(token+".ics")
	return s.renderReminders(w, r, http.StatusOK, &remindersView{Page: p, FeedURL: feed})
}

func (s reminders) revokeFeed(w http.ResponseWriter, r *http.Request) error {
	if err := s.Reminders.RevokeFeed(r.Context(), web.Account(r)); err != nil {
		return err
	}
	http.Redirect(w, r, paths.Reminders.String()+"?revoque", http.StatusSeeOther)
	return nil
}

// calendarFeed serves a person's legal dates as iCalendar to whoever
// holds the token; an unknown or revoked token is not found.
func (s reminders) calendarFeed(w http.ResponseWriter, r *http.Request) error {
	token, ok := strings.CutSuffix(r.PathValue("token"), ".ics")
	if !ok {
		return permit.Errorf(permit.ENOTFOUND, "error.not_found")
	}
	f, err := s.Reminders.Feed(r.Context(), token)
	if err != nil {
		return err
	}
	host := "sejour"
	if u, err := url.Parse(s.BaseURL); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	var buf bytes.Buffer
	if err := calendar.Write(&buf, calendar.Feed{Dates: f.Dates, Lang: f.Lang, Now: s.Clock.Now(), Host: host,
		Link: strings.TrimSuffix(s.BaseURL, "/") + paths.Dashboard.String()}, s.Tr); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", calendar.ContentType)
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Robots-Tag", "noindex")
	_, err = w.Write(buf.Bytes())
	return err
}
