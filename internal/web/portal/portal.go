// Package portal assembles the whole site: the web core with every
// audience's pages mounted on it, each given only the use cases it needs.
// It is the one list of audiences, used by the program and by the tests
// that try every route.
package portal

import (
	"github.com/sejour/sejour/internal/upload"
	"github.com/sejour/sejour/internal/web"
	"github.com/sejour/sejour/internal/web/admin"
	"github.com/sejour/sejour/internal/web/applicant"
	"github.com/sejour/sejour/internal/web/backoffice"
	"github.com/sejour/sejour/internal/web/employer"
	"github.com/sejour/sejour/internal/web/public"
	"github.com/sejour/sejour/internal/web/support"
)

// New builds the site from its parts.
func New(o web.Options) (*web.Server, error) {
	if o.Previews == nil {
		o.Previews = upload.NewPreviewer(o.Checks)
	}
	return web.New(o, func(s *web.Server) []web.Part {
		return []web.Part{
			public.New(public.Pages{Server: s, Accounts: o.Accounts, Reports: o.Reports, Verifier: o.Verifier,
				Outages: o.Outages, DB: o.DB, KeySet: o.KeySet, Checks: o.Checks, Appointments: o.Appointments,
				Statistics: o.Statistics}),
			&applicant.Pages{Server: s, Applications: o.Applications, Attempts: o.Attempts, Documents: o.Documents, Messages: o.Messages,
				Corrections: o.Corrections, Contacts: o.Contacts, Counter: o.Counter, Journal: o.Journal,
				Export: o.Export, Reports: o.Reports, Queue: o.Queue, Receipts: o.Receipts, WorkChecks: o.WorkChecks, Declarations: o.Declarations,
				FollowUps: o.FollowUps, Appointments: o.Appointments, Reminders: o.Reminders},
			&backoffice.Pages{Server: s, Accounts: o.Accounts, Applications: o.Applications, Documents: o.Documents,
				Messages: o.Messages, Decisions: o.Decisions, Queue: o.Queue, Counter: o.Counter,
				Corrections: o.Corrections, Journal: o.Journal, Declarations: o.Declarations, Receipts: o.Receipts, Previews: o.Previews,
				Appointments: o.Appointments},
			&support.Pages{Server: s, Support: o.Support},
			&admin.Pages{Server: s, Accounts: o.Accounts, Outages: o.Outages},
			&employer.Pages{Server: s, Employers: o.Employers, WorkChecks: o.WorkChecks, Declarations: o.Declarations, FollowUps: o.FollowUps,
				Records: o.Receipts},
		}
	})
}
