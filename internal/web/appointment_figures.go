package web

import (
	"time"

	"github.com/sejour/sejour/internal/casework"
)

// FiguresPart is a prefecture's appointment figures with the page that
// shows them (template "appointment_figures", in the supervisors' agenda
// and on the public status page): counts and durations, no personal data.
type FiguresPart struct {
	*Page
	F    *casework.AppointmentFigures
	Name string // the prefecture's name, the table's caption
}

// AppointmentFigures pairs a prefecture's figures with the page.
func (p *Page) AppointmentFigures(f *casework.AppointmentFigures, name string) FiguresPart {
	return FiguresPart{Page: p, F: f, Name: name}
}

// Span writes a duration in whole days and hours (rounded down).
func (v FiguresPart) Span(d time.Duration) string {
	h := int(d / time.Hour)
	return v.T("appointment_figures.span", h/24, h%24)
}
