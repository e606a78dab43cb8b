package casework

import (
	"context"
	"slices"

	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// A person who starts another application (a second ground, next year's
// renewal) has often given the same passport or proof of address before.
// Their files stay where they were given; the new application may take
// them again: a new row pointing at the same blob, which costs no quota
// and needs no new upload, chosen by the person slot by slot.

// offerReuse fills, for an editable file, each slot's Reusable: the
// files of the person's other applications that the slot may take again.
// c.Others and the case's own documents must be loaded.
func (s *core) offerReuse(ctx context.Context, c *Case) error {
	if !c.App.Editable() {
		return nil
	}
	offers, err := s.reusable(ctx, c)
	if err != nil {
		return err
	}
	for i := range c.Checklist {
		c.Checklist[i].Reusable = offers[c.Checklist[i].Doc.ID]
	}
	return nil
}

// reusable lists, by slot of c's checklist, the files of the person's
// other applications that may be offered again: current in their
// application, neither they nor the file they reuse refused, first given
// less than the document's valid_months ago (if it has one), and with a
// content the slot does not hold yet; one per content, oldest first.
func (s *core) reusable(ctx context.Context, c *Case) (map[string][]*permit.Document, error) {
	wanted := map[string]*rules.Document{}
	for _, it := range c.Checklist {
		if it.Doc.TakesFiles() {
			wanted[it.Doc.ID] = it.Doc
		}
	}
	held := map[string]bool{} // slot and blob already current here
	for slot, ds := range c.current {
		for _, d := range ds {
			held[slot+"/"+d.BlobSum] = true
		}
	}
	docs, refused, err := s.othersFiles(ctx, c)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*permit.Document{}
	for _, d := range docs {
		byID[d.ID] = d
	}
	now := s.Clock.Now()
	out := map[string][]*permit.Document{}
	for _, d := range docs {
		doc := wanted[d.Slot]
		if doc == nil || !d.Current() || refused[d.ID] || refused[d.ReusedFrom] || held[d.Slot+"/"+d.BlobSum] {
			continue
		}
		// A reused file is as old as the file first given: reusing it
		// does not make it younger.
		given := d
		if r := byID[d.ReusedFrom]; r != nil {
			given = r
		}
		if doc.ValidMonths > 0 && !given.UploadedAt.AddDate(0, doc.ValidMonths, 0).After(now) {
			continue
		}
		held[d.Slot+"/"+d.BlobSum] = true
		out[d.Slot] = append(out[d.Slot], d)
	}
	for _, ds := range out {
		slices.SortFunc(ds, func(a, b *permit.Document) int { return a.UploadedAt.Compare(b.UploadedAt) })
	}
	return out, nil
}

// othersFiles reads the files of the person's other applications, and
// which of them the prefecture refused (their latest verdict).
func (s *core) othersFiles(ctx context.Context, c *Case) ([]*permit.Document, map[int64]bool, error) {
	var docs []*permit.Document
	refused := map[int64]bool{}
	for _, a := range c.Others {
		ds, err := s.Cases.Documents(ctx, a.ID)
		if err != nil {
			return nil, nil, err
		}
		reviews, err := s.Cases.DocumentReviews(ctx, a.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range reviews { // oldest first: the latest verdict wins
			refused[r.DocumentID] = !r.Accepted
		}
		docs = append(docs, ds...)
	}
	return docs, refused, nil
}

// Reuse adds to a slot of an editable application files the person gave
// for another of their applications, chosen among the slot's Reusable
// (by id). Each becomes a file of this application pointing at the same
// content, within the slot's most; nothing is uploaded again.
func (s *Documents) Reuse(ctx context.Context, acc *permit.Account, appID int64, slot string, docIDs []int64) error {
	c, doc, err := s.slot(ctx, acc, appID, slot)
	if err != nil {
		return err
	}
	field := ReuseField(slot)
	if len(docIDs) == 0 {
		return permit.Invalid(map[string]string{field: "reuse.error.none"})
	}
	if err := s.decisions(ctx, c); err != nil { // the person's other applications
		return err
	}
	offers, err := s.reusable(ctx, c)
	if err != nil {
		return err
	}
	offered, a := offers[slot], c.App
	var ds []*permit.Document
	for _, id := range docIDs {
		i := slices.IndexFunc(offered, func(d *permit.Document) bool { return d.ID == id })
		if i < 0 {
			return permit.Invalid(map[string]string{field: "reuse.error.gone"})
		}
		src := offered[i]
		root := src.ReusedFrom
		if root == 0 {
			root = src.ID
		}
		ds = append(ds, &permit.Document{BlobSum: src.BlobSum, Filename: src.Filename, Kind: src.Kind, Size: src.Size,
			UploadedBy: acc.ID, ReusedFrom: root})
	}
	err = s.Store.AddDocuments(acting(ctx, acc, a, "counter_reuse_document", slot), a.ID, slot, ds, doc.MaxFiles, s.Quota)
	return permit.AsField(field, err)
}

// ReuseField is the form field of a slot's reusable files, which its
// errors name.
func ReuseField(slot string) string { return "reuse-" + slot }
