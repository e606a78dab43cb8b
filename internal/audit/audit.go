// Package audit names what the back office's audit trail records: every
// agent action, and every time staff open a person's file or a document.
// An entry travels with the context into the store, which appends it in
// the same transaction as the action it records: an action is never
// committed without its entry, nor an entry without its action.
package audit

import "context"

// Entry is one line of the audit trail, before the store chains it.
type Entry struct {
	ActorAccountID int64
	Action         string // e.g. "case.view", "document.view", "decide_favourable"
	PrefectureID   int64
	PersonID       int64
	ApplicationID  int64
	DocumentID     int64
	Detail         string // a reason or a short description; never a document's content

	// Resolve, when set, is called by the store after the write has run
	// and before the entry is chained, to fill in the ids of rows that the
	// write itself created (a person recorded, an application started).
	Resolve func(*Entry) `json:"-"`
}

type key struct{}

// With returns a context that carries e (after those already carried).
// Pass it to exactly one store write: each write appends what it carries.
func With(ctx context.Context, e Entry) context.Context {
	prev := From(ctx)
	all := make([]Entry, 0, len(prev)+1)
	all = append(all, prev...)
	return context.WithValue(ctx, key{}, append(all, e))
}

// From returns the entries a context carries.
func From(ctx context.Context) []Entry {
	es, _ := ctx.Value(key{}).([]Entry)
	return es
}
