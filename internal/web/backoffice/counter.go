package backoffice

import (
	"errors"
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
	"github.com/sejour/sejour/internal/web"
)

// The counter pages: an agent finds or creates a person and files an
// application on their behalf (issue 5 §5). Authorisation is casework's;
// these handlers only read forms and render.

// counterSearchView is the search form and, after a search, its results.
type counterSearchView struct {
	*web.Page
	Searched bool
	Persons  []*permit.Person
}

var searchFields = []string{"foreigner_number", "surname", "birth_date", "email"}

func (s *counter) counterSearch(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "counter.search.title")
	p.Staff = true
	q := r.URL.Query()
	v := &counterSearchView{Page: p}
	p.Values = map[string]string{}
	for _, f := range searchFields {
		p.Values[f] = q.Get(f)
	}
	status := http.StatusOK
	if q.Has("recherche") {
		persons, err := s.Counter.FindPersons(r.Context(), web.Account(r), permit.PersonQuery{ForeignerNumber: q.Get("foreigner_number"),
			Surname: q.Get("surname"), BirthDate: q.Get("birth_date"), Email: q.Get("email")})
		if err != nil {
			if err := web.FormError(p, err); err != nil {
				return err
			}
			status = http.StatusUnprocessableEntity
		} else {
			v.Searched, v.Persons = true, persons
		}
	}
	s.Render(w, r, status, "counter_search", v)
	return nil
}

// counterPersonFormView is the form that records a new person.
type counterPersonFormView struct {
	*web.Page
	Grounds []*rules.Ground
}

func (s *counter) counterPersonForm(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "counter.person_new.title")
	p.Values = map[string]string{}
	return s.renderPersonForm(w, r, http.StatusOK, p)
}

func (s *counter) renderPersonForm(w http.ResponseWriter, r *http.Request, status int, p *web.Page) error {
	p.Staff = true
	s.Render(w, r, status, "counter_person_new", &counterPersonFormView{Page: p, Grounds: s.Rules.Grounds()})
	return nil
}

func (s *counter) counterCreatePerson(w http.ResponseWriter, r *http.Request) error {
	f, err := web.ParsePersonForm(w, r)
	var person *permit.Person
	if err == nil {
		person, err = s.Counter.CreatePerson(r.Context(), web.Account(r), f, r.PostForm.Get("contact_email"))
	}
	if err != nil {
		return s.RenderFormError(w, r, "counter.person_new.title", err, web.FormValues(r.PostForm), s.renderPersonForm)
	}
	http.Redirect(w, r, PersonURL(person.ID)+"?cree", http.StatusSeeOther)
	return nil
}

// PersonURL is the counter's page of a person (the tests' name for
// paths.CounterPerson).
func PersonURL(id int64) string { return paths.CounterPerson.Format(id) }

// CounterCaseURL is the counter's page of an application (the tests'
// name for paths.CounterCase).
func CounterCaseURL(id int64) string { return paths.CounterCase.Format(id) }

// counterPersonView is a person with their applications, the form that
// starts one on their behalf, and the claim code part.
type counterPersonView struct {
	*web.Page
	Person   *casework.CounterPerson
	Kinds    []permit.Kind
	Grounds  []*rules.Ground
	Channels []permit.Channel
	Ways     []string
	// Code is a claim code just issued: shown this once.
	Code        string
	CodeExpires time.Time
}

func (s *counter) counterPerson(w http.ResponseWriter, r *http.Request) error {
	p := s.Page(r, "counter.person.title")
	if r.URL.Query().Has("cree") {
		p.Notice = "counter.person.created"
	}
	return s.renderCounterPerson(w, r, http.StatusOK, p, "", time.Time{})
}

func (s *counter) renderCounterPerson(w http.ResponseWriter, r *http.Request, status int, p *web.Page, code string, expires time.Time) error {
	id, err := web.PathID(r, "person")
	if err != nil {
		return err
	}
	cp, err := s.Counter.StaffPerson(r.Context(), web.Account(r), id)
	if err != nil {
		return err
	}
	p.Staff = true
	kinds, grounds := s.Applications.Choices()
	if p.Values == nil {
		p.Values = map[string]string{"channel": string(permit.ChannelCounter)}
	}
	s.Render(w, r, status, "counter_person", &counterPersonView{Page: p, Person: cp, Kinds: kinds, Grounds: grounds,
		Channels: permit.OnBehalfChannels, Ways: permit.ConsentWays, Code: code, CodeExpires: expires})
	return nil
}

func (s *counter) counterStart(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "person")
	if err != nil {
		return err
	}
	err = web.ParseForm(w, r)
	v := r.PostForm
	f := casework.OnBehalfForm{StartForm: casework.StartForm{Kind: permit.Kind(v.Get("kind")), Ground: permit.GroundID(v.Get("ground"))},
		Channel: permit.Channel(v.Get("channel")), Consent: v.Get("consent") == "oui", ConsentHow: v.Get("consent_how")}
	var a *permit.Application
	if err == nil {
		a, err = s.Counter.StartOnBehalf(r.Context(), web.Account(r), id, f)
	}
	if err != nil {
		p := s.Page(r, "counter.person.title")
		p.Values = map[string]string{"kind": v.Get("kind"), "ground": v.Get("ground"), "channel": v.Get("channel"),
			"consent": v.Get("consent"), "consent_how": v.Get("consent_how")}
		var dup *permit.DuplicateError
		var noProfile *permit.ProfileFirstError
		if errors.As(err, &dup) || errors.As(err, &noProfile) {
			key, _ := permit.ErrorMessage(err)
			p.Errors = map[string]string{"ground": key}
		} else if err := web.FormError(p, err); err != nil {
			return err
		}
		return s.renderCounterPerson(w, r, http.StatusUnprocessableEntity, p, "", time.Time{})
	}
	http.Redirect(w, r, paths.CounterCase.Format(a.ID), http.StatusSeeOther)
	return nil
}

// counterIssueCode issues a new claim code and shows it this once, on the
// person's page, with the buttons that print it on a receipt.
func (s *counter) counterIssueCode(w http.ResponseWriter, r *http.Request) error {
	id, err := web.PathID(r, "person")
	if err != nil {
		return err
	}
	code, expires, err := s.Counter.IssueClaimCode(r.Context(), web.Account(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	p := s.Page(r, "counter.person.title")
	p.Notice = "counter.code.issued"
	return s.renderCounterPerson(w, r, http.StatusOK, p, code, expires)
}

// choice is a group of radio buttons, ready for the "choice" template.
type choice struct {
	Name, Legend, Error string
	Options             []option
}

type option struct {
	Value, Label string
	Checked      bool
}

// Choice describes a radio group with the page's value and error.
func (v *counterPersonView) Choice(name, legendKey string, opts []option) choice {
	c := choice{Name: name, Legend: v.T(legendKey), Options: opts}
	if key, ok := v.Errors[name]; ok {
		c.Error = v.T(key, v.ErrArgs[name]...)
	}
	for i := range c.Options {
		c.Options[i].Checked = c.Options[i].Value == v.Values[name]
	}
	return c
}

// KindOptions are the kinds of application.
func (v *counterPersonView) KindOptions() []option {
	var out []option
	for _, k := range v.Kinds {
		out = append(out, option{Value: string(k), Label: v.Kind(k)})
	}
	return out
}

// GroundOptions are the grounds of the catalogue.
func (v *counterPersonView) GroundOptions() []option {
	var out []option
	for _, g := range v.Grounds {
		out = append(out, option{Value: string(g.ID), Label: v.Text(g.Name)})
	}
	return out
}

// ChannelOptions are the channels an agent files through.
func (v *counterPersonView) ChannelOptions() []option {
	var out []option
	for _, c := range v.Channels {
		out = append(out, option{Value: string(c), Label: v.Channel(c)})
	}
	return out
}

// WayOptions are the ways a person gives consent.
func (v *counterPersonView) WayOptions() []option {
	var out []option
	for _, w := range v.Ways {
		out = append(out, option{Value: w, Label: v.T("counter.consent_how." + w)})
	}
	return out
}

// Channel names a channel.
func (v *counterPersonView) Channel(c permit.Channel) string {
	return v.T("counter.channel." + string(c))
}
