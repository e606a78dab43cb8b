package casework

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sejour/sejour/internal/permit"
)

// ExportFormat names the layout of the data export, for programs that
// read it; it changes when a field changes meaning.
const ExportFormat = "sejour-export/1"

// The data export: what sejour keeps about an applicant, in their words
// where it can be (states and kinds by their codes, documented in
// docs/data-export.md). Staff are named by role, never by account.
type (
	exportData struct {
		Format       string              `json:"format"`
		ExportedAt   time.Time           `json:"exported_at"`
		Account      exportAccount       `json:"account"`
		Person       *exportPerson       `json:"person,omitempty"`
		Permits      []exportPermit      `json:"permits"`
		Applications []exportApplication `json:"applications"`
		// DataHistory is every change of the person's data, with the
		// former value; Corrections their correction requests.
		DataHistory []exportChange     `json:"data_history"`
		Corrections []exportCorrection `json:"correction_requests"`
		// Reports are the problems the account reported, with the public
		// part of each thread.
		Reports []exportReport `json:"reports"`
	}
	exportChange struct {
		At     time.Time `json:"at"`
		Field  string    `json:"field"`
		Old    string    `json:"former_value"`
		New    string    `json:"new_value"`
		Source string    `json:"source"`
	}
	exportCorrection struct {
		AskedAt     time.Time         `json:"asked_at"`
		Changes     map[string]string `json:"requested_values"`
		Explanation string            `json:"explanation,omitempty"`
		Status      string            `json:"status"`
		DecidedAt   *time.Time        `json:"decided_at,omitempty"`
		Reason      string            `json:"reason,omitempty"`
		Evidence    string            `json:"evidence_in_this_archive"`
	}
	exportAccount struct {
		Email       string     `json:"email"`
		Language    string     `json:"language"`
		CreatedAt   time.Time  `json:"created_at"`
		ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	}
	exportPerson struct {
		GivenNames      string         `json:"given_names"`
		Surname         string         `json:"surname"`
		BirthDate       string         `json:"birth_date"`
		BirthPlace      string         `json:"birth_place"`
		Nationality     string         `json:"nationality"`
		ForeignerNumber string         `json:"foreigner_number,omitempty"`
		Address         permit.Address `json:"address"`
		Phone           string         `json:"phone,omitempty"`
		Prefecture      string         `json:"prefecture,omitempty"`
		ConfirmedAt     *time.Time     `json:"confirmed_by_prefecture_at,omitempty"`
	}
	exportPermit struct {
		Ground      string     `json:"ground"`
		Number      string     `json:"number"`
		ValidFrom   string     `json:"valid_from"`
		ValidTo     string     `json:"valid_to"`
		ConfirmedAt *time.Time `json:"confirmed_by_prefecture_at,omitempty"`
	}
	exportApplication struct {
		Number             int64               `json:"number"`
		Ground             string              `json:"ground"`
		Kind               string              `json:"kind"`
		State              string              `json:"state"`
		Prefecture         string              `json:"prefecture"`
		CreatedAt          time.Time           `json:"created_at"`
		SubmittedAt        *time.Time          `json:"submitted_at,omitempty"`
		FeeStamp           string              `json:"fee_stamp,omitempty"`
		PhotoCode          string              `json:"photo_code,omitempty"`
		History            []exportEvent       `json:"history"`
		Filings            []exportFiling      `json:"filings"`
		Documents          []exportDocument    `json:"documents"`
		CompletionRequests []exportCompletion  `json:"completion_requests"`
		Messages           []exportMessage     `json:"messages"`
		Attestations       []exportAttestation `json:"attestations"`
		Decision           *exportDecision     `json:"decision,omitempty"`
		Appointment        *exportAppointment  `json:"appointment,omitempty"`
		Transfers          []exportTransfer    `json:"transfers"`
	}
	exportTransfer struct {
		At   time.Time `json:"at"`
		From string    `json:"from_prefecture"`
		To   string    `json:"to_prefecture"`
	}
	exportReport struct {
		Reference  string         `json:"reference"`
		Category   string         `json:"category"`
		Status     string         `json:"status"`
		CreatedAt  time.Time      `json:"created_at"`
		Page       string         `json:"page,omitempty"`
		ErrorRef   string         `json:"error_reference,omitempty"`
		Thread     []exportReplyT `json:"thread"`
		Screenshot string         `json:"screenshot_in_this_archive,omitempty"`
	}
	exportReplyT struct {
		At   time.Time `json:"at"`
		Kind string    `json:"kind"` // created, reply, answer, resolve, reopen
		Body string    `json:"text,omitempty"`
	}
	exportEvent struct {
		At     time.Time `json:"at"`
		From   string    `json:"from"`
		To     string    `json:"to"`
		By     string    `json:"by"`
		Reason string    `json:"reason,omitempty"`
		Undo   bool      `json:"undoes_previous_step,omitempty"`
	}
	exportFiling struct {
		Number   string          `json:"number"`
		FiledAt  time.Time       `json:"filed_at"`
		Snapshot json.RawMessage `json:"what_was_filed"`
	}
	exportDocument struct {
		Document   string     `json:"document"`
		Filename   string     `json:"filename"`
		Type       string     `json:"type"`
		Size       int64      `json:"size"`
		SHA256     string     `json:"sha256"`
		UploadedAt time.Time  `json:"uploaded_at"`
		RemovedAt  *time.Time `json:"removed_at,omitempty"`
		// Current says the file is one of its document's current files
		// (neither removed nor replaced by a later one).
		Current bool `json:"current"`
		// Reused says the file was given for another application and
		// taken again for this one (the same content).
		Reused bool   `json:"reused_from_another_application,omitempty"`
		Review string `json:"review,omitempty"` // accepted, or rejected: reason
		File   string `json:"file_in_this_archive"`
	}
	exportCompletion struct {
		Documents   []string   `json:"documents"`
		Reason      string     `json:"reason"`
		DueOn       string     `json:"due_on"`
		RequestedAt time.Time  `json:"requested_at"`
		AnsweredAt  *time.Time `json:"answered_at,omitempty"`
	}
	exportMessage struct {
		At    time.Time `json:"at"`
		From  string    `json:"from"`
		Body  string    `json:"body"`
		Files []string  `json:"files_in_this_archive,omitempty"`
	}
	exportAttestation struct {
		Kind       string `json:"kind"`
		Number     string `json:"number"`
		Version    int    `json:"version"`
		ValidFrom  string `json:"valid_from"`
		ValidUntil string `json:"valid_until"`
		Status     string `json:"status_today"`
		Code       string `json:"signed_code,omitempty"`
	}
	exportDecision struct {
		Outcome   string    `json:"outcome"`
		DecidedAt time.Time `json:"decided_at"`
		Reasons   []string  `json:"reasons,omitempty"`
		Statement string    `json:"statement,omitempty"`
		WithOQTF  bool      `json:"obligation_to_leave_france,omitempty"`
	}
	exportAppointment struct {
		At    time.Time `json:"at"`
		Place string    `json:"place"`
	}
)

// ExportStore is what the data export reads besides a case's parts: the
// account's reports of problems.
type ExportStore interface {
	ReportsByAccount(ctx context.Context, accountID int64) ([]*permit.Report, error)
	ReportEvents(ctx context.Context, reportID int64) ([]*permit.ReportEvent, error)
}

// Export writes, as a zip archive, everything sejour keeps about the
// applicant: donnees.json, and every version of every document and
// attachment they or the prefecture put in their files. Nobody else's
// data is in it, and only the applicant may ask for it.
func (s *DataExport) Export(ctx context.Context, acc *permit.Account, w io.Writer) error {
	if acc == nil || acc.Role != permit.RoleApplicant {
		return errNotFound
	}
	data := exportData{Format: ExportFormat, ExportedAt: s.Clock.Now().UTC(),
		Account:      exportAccount{Email: acc.Email, Language: acc.Lang, CreatedAt: acc.CreatedAt, ConfirmedAt: acc.ConfirmedAt},
		Permits:      []exportPermit{},
		Applications: []exportApplication{}, DataHistory: []exportChange{}, Corrections: []exportCorrection{}, Reports: []exportReport{}}
	var files []*permit.Document
	p, err := s.People.PersonByAccount(ctx, acc.ID)
	if err != nil && permit.ErrorCode(err) != permit.ENOTFOUND {
		return err
	}
	if p != nil {
		if files, err = s.exportPerson(ctx, p, &data); err != nil {
			return err
		}
	}
	shots, err := s.exportReports(ctx, acc, &data)
	if err != nil {
		return err
	}
	files = append(files, shots...)
	zw := zip.NewWriter(w)
	jw, err := zw.Create("sejour/donnees.json")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(jw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(data); err != nil {
		return err
	}
	for _, d := range files {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: "sejour/" + exportPath(d), Method: zip.Store, Modified: d.UploadedAt})
		if err != nil {
			return err
		}
		rc, err := s.Blobs.Open(ctx, d.BlobSum)
		if err != nil {
			return err
		}
		_, err = io.Copy(fw, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

func (s *DataExport) exportPerson(ctx context.Context, p *permit.Person, data *exportData) ([]*permit.Document, error) {
	prefName := map[int64]string{}
	prefs, err := s.People.Prefectures(ctx)
	if err != nil {
		return nil, err
	}
	for _, pr := range prefs {
		prefName[pr.ID] = pr.Name
	}
	data.Person = &exportPerson{GivenNames: p.GivenNames, Surname: p.Surname, BirthDate: p.BirthDate, BirthPlace: p.BirthPlace,
		Nationality: p.Nationality, ForeignerNumber: p.ForeignerNumber, Address: p.Address, Phone: p.Phone,
		Prefecture: prefName[p.PrefectureID], ConfirmedAt: p.ConfirmedAt}
	pms, err := s.Cases.Permits(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, pm := range pms {
		data.Permits = append(data.Permits, exportPermit{Ground: string(pm.Ground), Number: pm.Number,
			ValidFrom: pm.ValidFrom.Format(time.DateOnly), ValidTo: pm.ValidTo.Format(time.DateOnly), ConfirmedAt: pm.ConfirmedAt})
	}
	changes, err := s.Cases.PersonChanges(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range changes {
		old, now := c.Old, c.New
		if c.Field == permit.FieldPrefecture {
			o, _ := parseID(old)
			n, _ := parseID(now)
			old, now = prefName[o], prefName[n]
		}
		data.DataHistory = append(data.DataHistory, exportChange{At: c.At, Field: c.Field, Old: old, New: now, Source: string(c.Source)})
	}
	var files []*permit.Document
	cs, err := s.Cases.CorrectionsByPerson(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		ev := c.Evidence
		ev.ID, ev.UploadedAt = c.ID, c.CreatedAt
		path := fmt.Sprintf("documents/corrections/%d-%s", c.ID, safeName(ev.Filename))
		ec := exportCorrection{AskedAt: c.CreatedAt, Changes: map[string]string{}, Explanation: c.Explanation, Status: string(c.Status),
			DecidedAt: c.DecidedAt, Reason: c.Reason, Evidence: path}
		for _, f := range c.Fields {
			ec.Changes[f.Field] = f.New
		}
		data.Corrections = append(data.Corrections, ec)
		ev.Filename = path
		files = append(files, &ev)
	}
	apps, err := s.People.ApplicationsByPerson(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range apps {
		ea, fs, err := s.exportApplication(ctx, p, a, prefName[a.PrefectureID])
		if err != nil {
			return nil, err
		}
		data.Applications = append(data.Applications, ea)
		files = append(files, fs...)
	}
	return files, nil
}

func (s *DataExport) exportApplication(ctx context.Context, p *permit.Person, a *permit.Application, pref string) (exportApplication, []*permit.Document, error) {
	ea := exportApplication{Number: a.ID, Ground: string(a.Ground), Kind: string(a.Kind), State: string(a.State), Prefecture: pref,
		CreatedAt: a.CreatedAt, SubmittedAt: a.SubmittedAt, FeeStamp: a.FeeStamp, PhotoCode: a.PhotoCode, History: []exportEvent{}, Filings: []exportFiling{},
		Documents: []exportDocument{}, CompletionRequests: []exportCompletion{}, Messages: []exportMessage{}, Attestations: []exportAttestation{}}
	c, err := s.load(ctx, p, a, true)
	if err != nil {
		return ea, nil, err
	}
	for _, e := range c.Timeline {
		if e.Event != nil {
			ev := e.Event
			ea.History = append(ea.History, exportEvent{At: ev.At, From: string(ev.From), To: string(ev.To), By: string(ev.Actor.Kind),
				Reason: ev.Reason, Undo: ev.UndoOf != 0})
		}
	}
	for _, f := range c.Filings {
		snap := json.RawMessage(f.Snapshot)
		if !json.Valid(snap) {
			snap = json.RawMessage("null")
		}
		ea.Filings = append(ea.Filings, exportFiling{Number: f.Number, FiledAt: f.FiledAt, Snapshot: snap})
	}
	docs, err := s.Cases.Documents(ctx, a.ID)
	if err != nil {
		return ea, nil, err
	}
	var files []*permit.Document
	for _, d := range docs {
		files = append(files, d)
		if d.MessageID != 0 {
			continue
		}
		ed := exportDocument{Document: d.Slot, Filename: d.Filename, Type: d.Kind, Size: d.Size, SHA256: d.BlobSum,
			UploadedAt: d.UploadedAt, RemovedAt: d.RemovedAt, Current: d.Current(), Reused: d.ReusedFrom != 0, File: exportPath(d)}
		if r := c.Review(d); r != nil {
			ed.Review = "accepted"
			if !r.Accepted {
				ed.Review = "rejected: " + r.Reason
			}
		}
		ea.Documents = append(ea.Documents, ed)
	}
	reqs, err := s.Cases.CompletionRequests(ctx, a.ID)
	if err != nil {
		return ea, nil, err
	}
	for _, r := range reqs {
		ea.CompletionRequests = append(ea.CompletionRequests, exportCompletion{Documents: r.Slots, Reason: r.Reason,
			DueOn: r.DueOn.Format(time.DateOnly), RequestedAt: r.RequestedAt, AnsweredAt: r.AnsweredAt})
	}
	for _, m := range c.Messages {
		em := exportMessage{At: m.CreatedAt, From: string(m.Sender.Kind), Body: m.Body}
		for _, d := range m.Attachments {
			em.Files = append(em.Files, exportPath(d))
		}
		ea.Messages = append(ea.Messages, em)
	}
	var atts []*permit.Attestation
	if s.Cases != nil {
		if atts, err = s.Cases.Attestations(ctx, a.ID); err != nil {
			return ea, nil, err
		}
	}
	now := s.Clock.Now()
	for _, at := range atts {
		ea.Attestations = append(ea.Attestations, exportAttestation{Kind: string(at.Kind), Number: at.Number, Version: at.Version,
			ValidFrom: at.ValidFrom.Format(time.DateOnly), ValidUntil: at.ValidUntil.Format(time.DateOnly),
			Status: string(at.Status(now)), Code: at.Code})
	}
	if d := c.Decision; d != nil {
		ea.Decision = &exportDecision{Outcome: string(d.Outcome), DecidedAt: d.DecidedAt, Reasons: d.Reasons, Statement: d.Note, WithOQTF: d.WithOQTF}
	}
	if ap := c.Appointment; ap != nil {
		ea.Appointment = &exportAppointment{At: ap.StartsAt, Place: ap.Place}
	}
	ea.Transfers = []exportTransfer{}
	for _, t := range c.Moves {
		ea.Transfers = append(ea.Transfers, exportTransfer{At: t.At, From: t.FromName, To: t.ToName})
	}
	return ea, files, nil
}

// exportReports adds the account's reports of problems, with what the
// reporter sees of each thread, and returns their screenshots as files of
// the archive.
func (s *DataExport) exportReports(ctx context.Context, acc *permit.Account, data *exportData) ([]*permit.Document, error) {
	reports, err := s.Store.ReportsByAccount(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	var files []*permit.Document
	for _, r := range reports {
		er := exportReport{Reference: r.Reference, Category: string(r.Category), Status: string(r.Status), CreatedAt: r.CreatedAt,
			Page: r.Page, ErrorRef: r.ErrorRef, Thread: []exportReplyT{}}
		evs, err := s.Store.ReportEvents(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if e.Public() {
				er.Thread = append(er.Thread, exportReplyT{At: e.At, Kind: string(e.Kind), Body: e.Body})
			}
		}
		if sh := r.Screenshot; sh != nil {
			er.Screenshot = fmt.Sprintf("documents/signalements/%s-%s", r.Reference, safeName(sh.Filename))
			files = append(files, &permit.Document{BlobSum: sh.BlobSum, Filename: er.Screenshot, Kind: sh.Kind, Size: sh.Size, UploadedAt: r.CreatedAt})
		}
		data.Reports = append(data.Reports, er)
	}
	return files, nil
}

// exportPath is where a document version lies in the archive: its
// application, its id and a file name safe on every system.
func exportPath(d *permit.Document) string {
	if d.ApplicationID == 0 {
		return d.Filename // a correction's evidence, placed by exportPerson
	}
	return fmt.Sprintf("documents/demande-%d/%d-%s", d.ApplicationID, d.ID, safeName(d.Filename))
}

// safeName keeps a file name's letters, digits, dots, dashes and
// underscores, and its last 80 characters.
func safeName(filename string) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, filename)
	if len(name) > 80 {
		name = name[len(name)-80:]
	}
	return name
}
