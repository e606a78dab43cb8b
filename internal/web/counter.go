package web

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// The counter pages: an agent finds or creates a person and files an
// application on their behalf (issue 5 §5). Authorisation is casework's;
// these handlers only read forms and render.

// counterSearchView is the search form and, after a search, its results.
type counterSearchView struct {
	*Page
	Searched bool
	Persons  []*permit.Person
}

var searchFields = []string{"foreigner_number", "surname", "birth_date", "email"}

func (s *Server) counterSearch(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "counter.search.title")
	p.Staff = true
	q := r.URL.Query()
	v := &counterSearchView{Page: p}
	p.Values = map[string]string{}
	for _, f := range searchFields {
		p.Values[f] = q.Get(f)
	}
	status := http.StatusOK
	if q.Has("recherche") {
		persons, err := s.Files.FindPersons(r.Context(), account(r), permit.PersonQuery{ForeignerNumber: q.Get("foreigner_number"),
			Surname: q.Get("surname"), BirthDate: q.Get("birth_date"), Email: q.Get("email")})
		if err != nil {
			if err := formError(p, err); err != nil {
				return err
			}
			status = http.StatusUnprocessableEntity
		} else {
			v.Searched, v.Persons = true, persons
		}
	}
	s.render(w, r, status, "counter_search", v)
	return nil
}

// counterPersonFormView is the form that records a new person.
type counterPersonFormView struct {
	*Page
	Grounds []*rules.Ground
}

func (s *Server) counterPersonForm(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "counter.person_new.title")
	p.Staff = true
	p.Values = map[string]string{}
	s.render(w, r, http.StatusOK, "counter_person_new", &counterPersonFormView{Page: p, Grounds: s.Files.Rules.Grounds()})
	return nil
}

func (s *Server) counterCreatePerson(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	v := r.PostForm
	f := casework.ProfileForm{
		GivenNames: v.Get("given_names"), Surname: v.Get("surname"), BirthDate: v.Get("birth_date"),
		BirthPlace: v.Get("birth_place"), Nationality: v.Get("nationality"), ForeignerNumber: v.Get("foreigner_number"),
		AddressLine: v.Get("address_line"), Postcode: v.Get("postcode"), City: v.Get("city"), Phone: v.Get("phone"),
		HasPermit: v.Get("has_permit") == "oui", PermitGround: v.Get("permit_ground"), PermitNumber: v.Get("permit_number"),
		PermitFrom: v.Get("permit_from"), PermitTo: v.Get("permit_to"),
	}
	person, err := s.Files.CreatePerson(r.Context(), account(r), f, v.Get("contact_email"))
	if err != nil {
		p := s.page(r, "counter.person_new.title")
		p.Staff = true
		if err := formError(p, err); err != nil {
			return err
		}
		p.Values = map[string]string{}
		for k := range v {
			p.Values[k] = v.Get(k)
		}
		s.render(w, r, http.StatusUnprocessableEntity, "counter_person_new", &counterPersonFormView{Page: p, Grounds: s.Files.Rules.Grounds()})
		return nil
	}
	http.Redirect(w, r, personURL(person.ID)+"?cree", http.StatusSeeOther)
	return nil
}

func personURL(id int64) string { return "/agent/guichet/personnes/" + strconv.FormatInt(id, 10) }

func counterCaseURL(id int64) string { return "/agent/guichet/demandes/" + strconv.FormatInt(id, 10) }

// counterPersonView is a person with their applications, the form that
// starts one on their behalf, and the claim code part.
type counterPersonView struct {
	*Page
	Person   *casework.CounterPerson
	Kinds    []permit.Kind
	Grounds  []*rules.Ground
	Channels []permit.Channel
	Ways     []string
	// Code is a claim code just issued: shown this once.
	Code        string
	CodeExpires time.Time
}

func (s *Server) counterPerson(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "counter.person.title")
	switch {
	case r.URL.Query().Has("cree"):
		p.Notice = "counter.person.created"
	}
	return s.renderCounterPerson(w, r, http.StatusOK, p, "", time.Time{})
}

func (s *Server) renderCounterPerson(w http.ResponseWriter, r *http.Request, status int, p *Page, code string, expires time.Time) error {
	id, err := pathID(r, "person")
	if err != nil {
		return err
	}
	cp, err := s.Files.StaffPerson(r.Context(), account(r), id)
	if err != nil {
		return err
	}
	p.Staff = true
	kinds, grounds := s.Files.Choices()
	if p.Values == nil {
		p.Values = map[string]string{"channel": string(permit.ChannelCounter)}
	}
	s.render(w, r, status, "counter_person", &counterPersonView{Page: p, Person: cp, Kinds: kinds, Grounds: grounds,
		Channels: permit.OnBehalfChannels, Ways: permit.ConsentWays, Code: code, CodeExpires: expires})
	return nil
}

func (s *Server) counterStart(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r, "person")
	if err != nil {
		return err
	}
	v := r.PostForm
	f := casework.OnBehalfForm{StartForm: casework.StartForm{Kind: permit.Kind(v.Get("kind")), Ground: permit.GroundID(v.Get("ground"))},
		Channel: permit.Channel(v.Get("channel")), Consent: v.Get("consent") == "oui", ConsentHow: v.Get("consent_how")}
	a, err := s.Files.StartOnBehalf(r.Context(), account(r), id, f)
	if err != nil {
		p := s.page(r, "counter.person.title")
		p.Values = map[string]string{"kind": v.Get("kind"), "ground": v.Get("ground"), "channel": v.Get("channel"),
			"consent": v.Get("consent"), "consent_how": v.Get("consent_how")}
		if key, _ := permit.ErrorMessage(err); key == "start.error.duplicate" || key == "start.error.profile_first" {
			p.Errors = map[string]string{"ground": key}
		} else if err := formError(p, err); err != nil {
			return err
		}
		return s.renderCounterPerson(w, r, http.StatusUnprocessableEntity, p, "", time.Time{})
	}
	http.Redirect(w, r, counterCaseURL(a.ID), http.StatusSeeOther)
	return nil
}

// counterIssueCode issues a new claim code and shows it this once, on the
// person's page, with the buttons that print it on a receipt.
func (s *Server) counterIssueCode(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "person")
	if err != nil {
		return err
	}
	code, expires, err := s.Files.IssueClaimCode(r.Context(), account(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	p := s.page(r, "counter.person.title")
	p.Notice = "counter.code.issued"
	return s.renderCounterPerson(w, r, http.StatusOK, p, code, expires)
}

// counterCaseView is an application the agent prepares for the person.
type counterCaseView struct {
	*Page
	Case *casework.CounterCase
}

// Euros writes an amount in cents as euros.
func (v *counterCaseView) Euros(cents int64) string { return strconv.FormatInt(cents/100, 10) + " €" }

// URL is the application's counter page.
func (v *counterCaseView) URL() string { return counterCaseURL(v.Case.App.ID) }

// DocURL is where staff download a document version.
func (v *counterCaseView) DocURL(d *permit.Document) string {
	return "/agent/demandes/" + strconv.FormatInt(d.ApplicationID, 10) + "/fichiers/" + strconv.FormatInt(d.ID, 10)
}

// UploadField is the file input of one document, named for screen readers.
func (v *counterCaseView) UploadField(slot string) Field {
	label := slot
	for _, it := range v.Case.Checklist {
		if it.Doc.ID == slot {
			label = v.Text(it.Doc.Name)
		}
	}
	f := Field{Name: "file-" + slot, Type: "file", Label: v.T("case.doc_file", label), Hint: v.T("upload.hint")}
	if key, ok := v.Errors[f.Name]; ok {
		f.Error = v.T(key, v.ErrArgs[f.Name]...)
	}
	return f
}

// FeeField is the timbre fiscal input, showing what was recorded.
func (v *counterCaseView) FeeField() Field {
	f := v.Field("fee_stamp", "text", "off", "fee.label", "fee.hint")
	if f.Value == "" {
		f.Value = v.Case.App.FeeStamp
	}
	return f
}

// counterNotices are the notices a redirect asks the counter page for.
var counterNotices = map[string]string{
	"envoye":  "document.uploaded",
	"retire":  "document.removed",
	"timbre":  "fee.saved",
	"renvoye": "complete.done",
}

func (s *Server) counterCase(w http.ResponseWriter, r *http.Request) error {
	p := s.page(r, "counter.case.title")
	for q, key := range counterNotices {
		if r.URL.Query().Has(q) {
			p.Notice = key
		}
	}
	return s.renderCounterCase(w, r, http.StatusOK, p)
}

func (s *Server) renderCounterCase(w http.ResponseWriter, r *http.Request, status int, p *Page) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.Files.CounterView(r.Context(), account(r), id)
	if err != nil {
		return err
	}
	p.Staff = true
	s.render(w, r, status, "counter_case", &counterCaseView{Page: p, Case: c})
	return nil
}

// counterFormError re-renders the counter page of an application with a
// form's errors, or returns err when it is not about the form.
func (s *Server) counterFormError(w http.ResponseWriter, r *http.Request, err error, values map[string]string) error {
	p := s.page(r, "counter.case.title")
	if err := formError(p, err); err != nil {
		return err
	}
	p.Values = values
	return s.renderCounterCase(w, r, http.StatusUnprocessableEntity, p)
}

func (s *Server) counterUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	slot := r.PathValue("slot")
	field := "file-" + slot
	name, data, _, err := s.readUpload(w, r, field)
	if err == nil {
		_, err = s.Files.Upload(r.Context(), account(r), id, slot, name, data)
		err = permit.AsField(field, err)
	}
	if err != nil {
		return s.counterFormError(w, r, err, nil)
	}
	http.Redirect(w, r, counterCaseURL(id)+"?envoye#doc-"+slot, http.StatusSeeOther)
	return nil
}

func (s *Server) counterRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Files.RemoveDocument(r.Context(), account(r), id, r.PathValue("slot")); err != nil {
		return err
	}
	http.Redirect(w, r, counterCaseURL(id)+"?retire#doc-"+r.PathValue("slot"), http.StatusSeeOther)
	return nil
}

func (s *Server) counterFeeStamp(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Files.SetFeeStamp(r.Context(), account(r), id, r.PostForm.Get("fee_stamp")); err != nil {
		return s.counterFormError(w, r, err, map[string]string{"fee_stamp": r.PostForm.Get("fee_stamp")})
	}
	http.Redirect(w, r, counterCaseURL(id)+"?timbre#timbre", http.StatusSeeOther)
	return nil
}

func (s *Server) counterFile(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Files.FileOnBehalf(r.Context(), account(r), id, r.PostForm.Get("confirm") == "oui"); err != nil {
		return s.counterFormError(w, r, err, nil)
	}
	http.Redirect(w, r, counterCaseURL(id)+"/recepisse", http.StatusSeeOther)
	return nil
}

func (s *Server) counterResubmit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.Files.Resubmit(r.Context(), account(r), id); err != nil {
		return s.counterFormError(w, r, err, nil)
	}
	http.Redirect(w, r, counterCaseURL(id)+"?renvoye", http.StatusSeeOther)
	return nil
}

// counterReceiptView is the receipt as printed at the counter.
type counterReceiptView struct {
	*Page
	Receipt *casework.Receipt
}

func (s *Server) counterReceipt(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rc, err := s.Files.StaffReceipt(r.Context(), account(r), id, "")
	if err != nil {
		return err
	}
	p := s.page(r, "counter.receipt.title")
	p.Staff = true
	s.render(w, r, http.StatusOK, "counter_receipt", &counterReceiptView{Page: p, Receipt: rc})
	return nil
}

// counterReceiptPDF serves the receipt's PDF; posted with the claim code
// just issued, it prints the code too.
func (s *Server) counterReceiptPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	code := ""
	if r.Method == http.MethodPost {
		if err := parseForm(w, r); err != nil {
			return err
		}
		code = r.PostForm.Get("code")
	}
	rc, err := s.Files.StaffReceipt(r.Context(), account(r), id, code)
	if err != nil {
		return err
	}
	name := "attestation-de-depot-"
	if rc.Paper() {
		name = "recepisse-de-depot-"
	}
	return servePDF(w, name+rc.Filing.Number+".pdf", func(b *bytes.Buffer) error {
		return s.Receipts.RenderReceipt(b, rc)
	})
}

// claimView is the form where an applicant enters a claim code.
type claimView struct{ *Page }

func (s *Server) claimForm(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, "claim", &claimView{Page: s.page(r, "claim.title")})
	return nil
}

func (s *Server) claim(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	code := r.PostForm.Get("code")
	p := s.page(r, "claim.title")
	p.Values = map[string]string{"code": code}
	acc := account(r)
	err := s.limits.check("claim-ip", clientIP(r), "claim-account", strconv.FormatInt(acc.ID, 10))
	if err == nil {
		_, err = s.Files.Claim(r.Context(), acc, code)
	}
	switch key, _ := permit.ErrorMessage(err); {
	case err == nil:
		http.Redirect(w, r, "/tableau-de-bord?repris", http.StatusSeeOther)
		return nil
	case permit.ErrorCode(err) == permit.ERATELIMIT, key == "claim.error.has_profile":
		p.Errors = map[string]string{"code": key}
		status := http.StatusTooManyRequests
		if key == "claim.error.has_profile" {
			status = http.StatusConflict
		}
		s.render(w, r, status, "claim", &claimView{Page: p})
		return nil
	}
	if err := formError(p, err); err != nil {
		return err
	}
	s.render(w, r, http.StatusUnprocessableEntity, "claim", &claimView{Page: p})
	return nil
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

// Channel names a channel.
func (v *counterCaseView) Channel(c permit.Channel) string {
	return v.T("counter.channel." + string(c))
}

// ConsentHow names how consent was given.
func (v *counterCaseView) ConsentHow(w string) string { return v.T("counter.consent_how." + w) }
