package casework

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// Attachment is a file sent with a message.
type Attachment struct {
	Filename string
	Data     []byte
}

// maxMessage bounds a message's length, in characters.
const maxMessage = 5000

// PostMessage adds a message to an application's thread, from its
// applicant or from the prefecture's staff, and tells the other side by
// mail. An attachment gets the same checks as a document.
func (s *Messages) PostMessage(ctx context.Context, acc *permit.Account, appID int64, body string, att *Attachment) (*permit.Message, error) {
	var a *permit.Application
	var p *permit.Person
	var err error
	if acc != nil && acc.Role == permit.RoleApplicant {
		p, a, err = s.own(ctx, acc, appID)
	} else if a, err = s.staff(ctx, acc, appID); err == nil {
		p, err = s.People.Person(ctx, a.PersonID)
	}
	if err != nil {
		return nil, err
	}
	body = strings.TrimSpace(body)
	if body == "" {
		return nil, permit.Invalid(map[string]string{"body": "message.error.empty"})
	} else if utf8.RuneCountInString(body) > maxMessage {
		return nil, permit.Invalid(map[string]string{"body": "message.error.too_long"})
	}
	msg := &permit.Message{ApplicationID: a.ID, Sender: actorOf(acc), Body: body}
	if att != nil && len(att.Data) > 0 {
		d, err := s.store(ctx, p, acc, att.Filename, att.Data)
		if err != nil {
			return nil, permit.AsField("attachment", err)
		}
		msg.Attachments = []*permit.Document{d}
	}
	mails, err := s.messageMails(ctx, acc, a, p)
	if err != nil {
		return nil, err
	}
	// The message and every mail it causes commit together, each mail with
	// the job that delivers it.
	if err := s.Store.AddMessage(acting(ctx, acc, a, ActionMessagePost, ""), msg, s.Quota, mails...); err != nil {
		return nil, permit.AsField("attachment", err)
	}
	return msg, nil
}

// messageMails tells the other side: the applicant, or the prefecture's
// address (else each of its agents).
func (s *Messages) messageMails(ctx context.Context, from *permit.Account, a *permit.Application, p *permit.Person) ([]*permit.Mail, error) {
	link := s.BaseURL + paths.Application.Format(a.ID)
	if from.Role != permit.RoleApplicant {
		to, lang, err := s.recipient(ctx, p)
		if err != nil {
			return nil, err
		}
		if to == "" {
			// A person filed for at the counter, without an address: the
			// message waits in the thread for their next visit.
			return nil, nil
		}
		return []*permit.Mail{{To: to, Subject: s.Tr.T(lang, "mail.message.subject"), Text: s.Tr.T(lang, "mail.message.body", link)}}, nil
	}
	pref, err := s.People.Prefecture(ctx, a.PrefectureID)
	if err != nil {
		return nil, err
	}
	addrs := []string{pref.Email}
	if pref.Email == "" {
		if addrs, err = s.Store.StaffEmails(ctx, a.PrefectureID); err != nil {
			return nil, err
		}
	}
	staffLink := s.BaseURL + paths.Case.Format(a.ID)
	var out []*permit.Mail
	for _, to := range addrs {
		// The prefecture works in French (i18n.Default), whatever the
		// applicant's language.
		out = append(out, &permit.Mail{To: to, Subject: s.Tr.T(i18n.Default, "mail.staff_message.subject", itoa(a.ID)), Text: s.Tr.T(i18n.Default, "mail.staff_message.body", staffLink)})
	}
	// No one to tell yet (out is empty): the message is kept in the thread
	// all the same.
	return out, nil
}

// CompletionForm is what the prefecture asks for.
type CompletionForm struct {
	Slots  []string
	Reason string
	DueOn  string // YYYY-MM-DD
}

// RequestCompletion asks the applicant for documents: which, why, and by
// when. The application waits in "incomplete"; it is not refused.
func (s *Decisions) RequestCompletion(ctx context.Context, acc *permit.Account, appID int64, f CompletionForm) error {
	a, err := s.staff(ctx, acc, appID)
	if err != nil {
		return err
	}
	errs := map[string]string{}
	if len(f.Slots) == 0 {
		errs["slots"] = "completion.error.slots"
	}
	for _, slot := range f.Slots {
		if _, ok := s.Rules.Document(slot); !ok {
			errs["slots"] = "completion.error.slots"
		}
	}
	reason := strings.TrimSpace(f.Reason)
	if reason == "" || utf8.RuneCountInString(reason) > 2000 {
		errs["reason"] = "completion.error.reason"
	}
	today := permit.CivilDay(s.Clock.Now())
	due, err := time.Parse(time.DateOnly, f.DueOn)
	maxMonths := s.Rules.Limits.CompletionDueMaxMonths
	if err != nil || !due.After(today) || due.After(today.AddDate(0, maxMonths, 0)) {
		errs["due_on"] = "completion.error.due_on"
	}
	if err := permit.InvalidWith(errs, map[string][]any{"due_on": {maxMonths}}); err != nil {
		return err
	}
	ev, err := permit.Transition(a, permit.ActionRequestDocs, actorOf(acc), s.Clock.Now(), reason)
	if err != nil {
		return err
	}
	p, err := s.People.Person(ctx, a.PersonID)
	if err != nil {
		return err
	}
	to, lang, err := s.recipient(ctx, p)
	if err != nil {
		return err
	}
	var m *permit.Mail
	if to != "" {
		m = &permit.Mail{To: to, Subject: s.Tr.T(lang, "mail.completion.subject"),
			Text: s.Tr.T(lang, "mail.completion.body", s.BaseURL+paths.Application.Format(a.ID))}
	}
	cr := &permit.CompletionRequest{Slots: f.Slots, Reason: reason, DueOn: due, RequestedBy: acc.ID}
	if err := s.Store.RequestCompletion(acting(ctx, acc, a, string(permit.ActionRequestDocs), strings.Join(f.Slots, ", ")), a, ev, cr, m); err != nil {
		return err
	}
	return nil
}

// StartReview takes a filed application into review.
func (s *Decisions) StartReview(ctx context.Context, acc *permit.Account, appID int64) error {
	a, err := s.staff(ctx, acc, appID)
	if err != nil {
		return err
	}
	ev, err := permit.Transition(a, permit.ActionStartReview, actorOf(acc), s.Clock.Now(), "")
	if err != nil {
		return err
	}
	return s.People.Transition(acting(ctx, acc, a, string(permit.ActionStartReview), ""), a, ev)
}

// StaffView returns an application as the prefecture's staff see it.
func (s *Decisions) StaffView(ctx context.Context, acc *permit.Account, appID int64) (*Case, error) {
	a, err := s.staff(ctx, acc, appID)
	if err != nil {
		return nil, err
	}
	p, err := s.People.Person(ctx, a.PersonID)
	if err == nil {
		err = s.seen(ctx, acc, a, 0)
	}
	if err != nil {
		return nil, err
	}
	c, err := s.load(ctx, p, a, true)
	if err != nil {
		return nil, err
	}
	if c.History, err = s.Cases.PersonChanges(ctx, p.ID); err != nil {
		return nil, err
	}
	cs, err := s.Cases.CorrectionsByPerson(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, x := range cs {
		if x.Status == permit.CorrectionPending {
			c.PendingCorrection = x
		}
	}
	c.Unchecked = s.unchecked(c)
	return c, nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
