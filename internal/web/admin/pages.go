// Package admin serves the administrators' pages: the staff accounts
// (agents, supervisors, the help desk), created, disabled and enabled,
// and the read-only mode's switch.
package admin

import (
	"github.com/sejour/sejour/internal/paths"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/web"
)

// Pages are the administrators' pages. They render through the core
// server and call only the accounts' use cases.
type Pages struct {
	*web.Server
	Accounts *casework.Accounts
}

// Routes are the administrators' routes.
func (s *Pages) Routes() []web.Route {
	return []web.Route{
		{Pattern: paths.Get(paths.StaffAccounts), Who: web.AdminOnly, Handler: s.staffAccounts},
		{Pattern: paths.Post(paths.StaffAccounts), Who: web.AdminOnly, Handler: s.createStaff},
		{Pattern: paths.Post(paths.StaffDisable), Who: web.AdminOnly, Handler: s.disableStaff},
		{Pattern: paths.Post(paths.StaffEnable), Who: web.AdminOnly, Handler: s.enableStaff},
		{Pattern: paths.Get(paths.ReadOnly), Who: web.AdminOnly, Handler: s.readOnly},
		{Pattern: paths.Post(paths.ReadOnly), Who: web.AdminOnly, Handler: s.setReadOnly},
	}
}
