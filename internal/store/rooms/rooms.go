// Package rooms hands each use case the room of the database it needs:
// the one place that knows which room of package store satisfies which
// store interface of package casework. The program and the tests that
// assemble the real use cases on a real database both call it.
package rooms

import (
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/store"
)

// Of returns the use cases' stores, all on db.
func Of(db *store.DB) casework.Stores {
	files := db.Files()
	support := db.Support()
	issuance := db.Issuance()
	return casework.Stores{
		Core:         db,
		Cases:        db,
		Applications: files,
		Documents:    files,
		Messages:     files,
		Decisions:    db.Decisions(),
		Queue:        db.WorkQueue(),
		Counter:      db.Counter(),
		Corrections:  db.Corrections(),
		Support:      support,
		Export:       support,
		Audit:        db.Audit(),
		Attestations: issuance,
		Versions:     &store.Standings{DB: db},
		Contacts:     db.Contacts(),
		Outages:      store.Outages{DB: db},
		Attempts:     files,
		Resends:      store.Resends{DB: db},
		Employers:    store.Employers{DB: db},
		WorkChecks:   store.WorkChecks{DB: db},
		Declarations: store.Declarations{DB: db},
		FollowUps:    store.FollowUps{DB: db},
		APIRequests:  store.APIRequests{DB: db},
		Appointments: store.Appointments{DB: db},
		Statistics:   store.Statistics{DB: db},
		Snapshots:    store.Snapshots{DB: db},
		Reminders:    store.Reminders{DB: db},
	}
}
