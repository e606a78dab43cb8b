package web

import (
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// StatusBanner says, on the home page and the dashboard, that functions
// of the portal do not work now (or are in planned maintenance), and
// links to the status page.
type StatusBanner struct {
	Down        []permit.Function
	Maintenance []permit.Function
}

// Banner returns the incident banner for the portal's status now, or nil
// when everything works. The status comes from the outages' use case,
// which answers from memory when the database does not.
func (s *Server) Banner(r *http.Request) *StatusBanner {
	if s.opts.UseCases == nil || s.opts.Outages == nil {
		return nil
	}
	st := s.opts.Outages.Status(r.Context())
	b := &StatusBanner{}
	for _, f := range st.Functions {
		switch f.State {
		case casework.StateDown:
			b.Down = append(b.Down, f.Function)
		case casework.StateMaintenance:
			b.Maintenance = append(b.Maintenance, f.Function)
		}
	}
	if len(b.Down)+len(b.Maintenance) == 0 {
		return nil
	}
	return b
}

// Function names one of the portal's functions.
func (p *Page) Function(f permit.Function) string { return p.T("status.function." + string(f)) }

// Functions names several functions, separated by commas.
func (p *Page) Functions(fs []permit.Function) string {
	out := ""
	for i, f := range fs {
		if i > 0 {
			out += ", "
		}
		out += p.Function(f)
	}
	return out
}

// ReliefText says why a renewal filed (or to be filed) after its window
// counts as in time: the outage, and until when the relief lasts.
func (p *Page) ReliefText(rel *rules.Relief, submitted *time.Time) string {
	return p.reliefText(rel, submitted != nil)
}

func (p *Page) reliefText(rel *rules.Relief, filed bool) string {
	switch {
	case rel.Until == nil:
		return p.T("status.relief.ongoing", p.Date(rel.Start))
	case filed:
		return p.T("status.relief.filed", p.Date(rel.Start), p.Date(*rel.End))
	}
	return p.T("status.relief.draft", p.Date(rel.Start), p.Date(*rel.End), p.Date(*rel.Until))
}
