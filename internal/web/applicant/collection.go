package applicant

import (
	"context"
	"errors"
	"net/http"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// SlotText says a collection slot's day and time in words.
func (v *caseView) SlotText(sl casework.Slot) string {
	t := sl.StartsAt.In(permit.Paris)
	return v.T("appointments.when", v.Date(t), t.Format("15:04"))
}

// BookingWhen says a booking's day and time in words.
func (v *caseView) BookingWhen(b *permit.Booking) string {
	t := b.StartsAt.In(permit.Paris)
	return v.T("appointments.when", v.Date(t), t.Format("15:04"))
}

// SlotValue is how the collection form names a slot of a site.
func (v *caseView) SlotValue(site string, sl casework.Slot) string {
	return casework.CollectionValue(site, &sl)
}

// WaitValue is how the collection form names a site's waiting list.
func (v *caseView) WaitValue(site string) string { return casework.CollectionValue(site, nil) }

// collection is the card collection's booking, a room of the applicant's
// pages with a handler of its own (the pages' type stays within its
// method limit).
type collection struct{ *Pages }

// book books the card collection slot the applicant picked on their
// application's page (issue 18 part 4), once per form.
func (s collection) book(w http.ResponseWriter, r *http.Request) error {
	if err := web.ParseForm(w, r); err != nil {
		return err
	}
	id, err := web.PathID(r, "id")
	if err != nil {
		return err
	}
	acc := web.Account(r)
	_, err = s.Once(r, permit.ResendBooking, r.PostForm.Get(web.OnceField), func(ctx context.Context) (int64, error) {
		b, err := s.Appointments.BookCollection(ctx, acc, id, r.PostForm.Get("slot"))
		if err != nil {
			return 0, err
		}
		return b.ID, nil
	})
	if err != nil {
		err = onSlot(err)
		p := s.Page(r, "case.title")
		p.Values = map[string]string{web.OnceField: r.PostForm.Get(web.OnceField)}
		if err := web.FormError(p, err); err != nil {
			return err
		}
		return s.renderCase(w, r, http.StatusUnprocessableEntity, p)
	}
	http.Redirect(w, r, paths.Application.Format(id)+"#retrait", http.StatusSeeOther)
	return nil
}

// onSlot puts the error of a collection booking on the form's one
// field, the slot: the site, kind and contact are not the applicant's to
// choose there.
func onSlot(err error) error {
	var e *permit.Error
	if !errors.As(err, &e) || e.Code != permit.EINVALID {
		return err
	}
	if len(e.Fields) == 0 {
		return permit.AsField("slot", err)
	}
	if k, ok := e.Fields["slot"]; ok {
		return permit.Invalid(map[string]string{"slot": k})
	}
	for _, k := range e.Fields {
		return permit.Invalid(map[string]string{"slot": k})
	}
	return err
}
