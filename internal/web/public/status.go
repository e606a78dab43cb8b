package public

import (
	"context"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// The status page, its feed and its JSON (issue 12 §4) are served from
// the status the outages' use case keeps: read from the database at most
// every 30 seconds, and from memory (with the health checks) when the
// database is down, so that they answer when nothing else does.

// statusView is the public status page.
type statusView struct {
	*web.Page
	S          *casework.Status
	ReliefDays int
	FeedURL    string
	// Figures are the appointment figures of each prefecture (issue 18),
	// none when they could not be read: the page answers without them.
	Figures []*casework.AppointmentFigures
}

// Describe is an outage's public description in the page's language
// (French when it has none in it), or the words of its check.
func (v *statusView) Describe(o *permit.Outage) string { return describe(v.Page, o) }

// Effect says what an outage does to deadlines.
func (v *statusView) Effect(o *permit.Outage) string { return effect(v.Page, o, v.ReliefDays) }

// When writes an instant as a date and a time in Paris.
func (v *statusView) When(t time.Time) string {
	return v.T("status.at", v.Date(t), t.In(permit.Paris).Format("15:04"))
}

// Until writes when an outage ended, or says it goes on.
func (v *statusView) Until(o *permit.Outage) string {
	if o.EndedAt == nil {
		return v.T("status.ongoing")
	}
	return v.When(*o.EndedAt)
}

// outageList is a list of outages with the page that shows it.
type outageList struct {
	View    *statusView
	Outages []*permit.Outage
}

// List pairs outages with the page, for the template that lists them.
func (v *statusView) List(os []*permit.Outage) outageList { return outageList{v, os} }

// OutageKind names an outage's kind.
func (v *statusView) OutageKind(o *permit.Outage) string { return v.T("status.kind." + string(o.Kind)) }

// StateName names a function's state.
func (v *statusView) StateName(state string) string { return v.T("status.state." + state) }

func describe(p *web.Page, o *permit.Outage) string {
	if d := o.Description[p.Lang]; d != "" {
		return d
	}
	if d := o.Description["fr"]; d != "" {
		return d
	}
	return p.T("status.check." + o.Check)
}

func effect(p *web.Page, o *permit.Outage, days int) string {
	switch {
	case !o.Relieves || !o.Affects(permit.FunctionFiling):
		return p.T("status.effect.none")
	case o.EndedAt == nil:
		return p.N("status.effect.relief_ongoing", days)
	}
	until := permit.ParisDay(*o.EndedAt).AddDate(0, 0, days)
	return p.N("status.effect.relief", days, days, p.Date(until))
}

// figuresTimeout bounds reading the appointment figures for the status
// page.
const figuresTimeout = 2 * time.Second

func (s *Pages) statusLimit(r *http.Request) error { return s.Limit("status-ip", web.ClientIP(r)) }

// status is the public status page: each function now, the outages going
// on, planned maintenance, and the outages of the last days.
func (s *Pages) status(w http.ResponseWriter, r *http.Request) error {
	if err := s.statusLimit(r); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	v := &statusView{Page: s.Page(r, "status.title"), S: s.Outages.Status(r.Context()),
		ReliefDays: s.Rules.Outages.ReliefDays, FeedURL: paths.StatusFeed.String()}
	if s.Appointments != nil && s.Appointments.Schedule != nil {
		// Bounded, so that a database that hangs does not hold the
		// status page, which must answer when nothing else does.
		ctx, cancel := context.WithTimeout(r.Context(), figuresTimeout)
		figs, err := s.Appointments.PublicFigures(ctx)
		cancel()
		if err == nil {
			v.Figures = figs
		}
	}
	s.Render(w, r, http.StatusOK, "status", v)
	return nil
}

// statusJSON is /api/v1/status (docs/openapi.yaml, Status).
type statusJSON struct {
	Now         time.Time      `json:"now"`
	Stale       bool           `json:"stale"`
	ReadAt      *time.Time     `json:"read_at"`
	ReliefDays  int            `json:"relief_days"`
	HistoryDays int            `json:"history_days"`
	Functions   []functionJSON `json:"functions"`
	Outages     []outageJSON   `json:"outages"`
}

type functionJSON struct {
	Function permit.Function `json:"function"`
	State    string          `json:"state"`
	Since    *time.Time      `json:"since"`
}

type outageJSON struct {
	ID          int64             `json:"id"`
	Kind        permit.OutageKind `json:"kind"`
	Status      string            `json:"status"` // ongoing, planned, ended
	Functions   []permit.Function `json:"functions"`
	Start       time.Time         `json:"start"`
	End         *time.Time        `json:"end"`
	Description map[string]string `json:"description"`
	Relieves    bool              `json:"relieves_deadlines"`
	ReliefUntil string            `json:"relief_until,omitempty"` // the last civil day (Paris) a late renewal is relieved
}

func (s *Pages) apiStatus(w http.ResponseWriter, r *http.Request) error {
	st := s.Outages.Status(r.Context())
	days := s.Rules.Outages.ReliefDays
	out := statusJSON{Now: st.Now.UTC(), Stale: st.Stale, ReliefDays: days, HistoryDays: st.Days,
		Functions: []functionJSON{}, Outages: []outageJSON{}}
	if !st.ReadAt.IsZero() {
		at := st.ReadAt.UTC()
		out.ReadAt = &at
	}
	for _, f := range st.Functions {
		out.Functions = append(out.Functions, functionJSON{f.Function, f.State, f.Since})
	}
	add := func(list []*permit.Outage, status string) {
		for _, o := range list {
			j := outageJSON{ID: o.ID, Kind: o.Kind, Status: status, Functions: o.Functions, Start: o.StartedAt, End: o.EndedAt,
				Description: o.Description, Relieves: o.Relieves && o.Affects(permit.FunctionFiling)}
			if j.Relieves && o.EndedAt != nil {
				j.ReliefUntil = permit.ParisDay(*o.EndedAt).AddDate(0, 0, days).Format(time.DateOnly)
			}
			out.Outages = append(out.Outages, j)
		}
	}
	add(st.Current, "ongoing")
	add(st.Upcoming, "planned")
	add(st.Past, "ended")
	return web.WriteJSON(w, http.StatusOK, out)
}

// The Atom feed (RFC 4287) of the outages: one entry per outage, updated
// when it changes.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

func (s *Pages) statusFeed(w http.ResponseWriter, r *http.Request) error {
	if err := s.statusLimit(r); err != nil {
		return err
	}
	p := s.Page(r, "status.title")
	st := s.Outages.Status(r.Context())
	base := strings.TrimSuffix(s.BaseURL, "/")
	feed := atomFeed{Lang: p.Lang, ID: base + paths.Status.String(), Title: p.T("status.feed.title"),
		Links:  []atomLink{{Rel: "self", Href: base + paths.StatusFeed.String(), Type: "application/atom+xml"}, {Href: base + paths.Status.String()}},
		Author: atomAuthor{Name: p.T("site.name")}}
	updated := time.Time{}
	days := s.Rules.Outages.ReliefDays
	for _, list := range [][]*permit.Outage{st.Current, st.Upcoming, st.Past} {
		for _, o := range list {
			if o.UpdatedAt.After(updated) {
				updated = o.UpdatedAt
			}
			period := p.T("status.feed.from", p.Date(o.StartedAt), o.StartedAt.In(permit.Paris).Format("15:04"))
			if o.EndedAt != nil {
				period += " " + p.T("status.feed.to", p.Date(*o.EndedAt), o.EndedAt.In(permit.Paris).Format("15:04"))
			}
			feed.Entries = append(feed.Entries, atomEntry{
				ID:      base + paths.Status.String() + "#panne-" + strconv.FormatInt(o.ID, 10),
				Title:   p.T("status.kind."+string(o.Kind)) + " — " + p.Functions(o.Functions),
				Updated: o.UpdatedAt.UTC().Format(time.RFC3339),
				Link:    atomLink{Href: base + paths.Status.String() + "#panne-" + strconv.FormatInt(o.ID, 10)},
				Summary: period + ". " + describe(p, o) + " " + effect(p, o, days),
			})
		}
	}
	if updated.IsZero() {
		updated = st.Now
	}
	feed.Updated = updated.UTC().Format(time.RFC3339)
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(xml.Header))
	return xml.NewEncoder(w).Encode(feed)
}
