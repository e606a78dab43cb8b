// Package admin serves the administrators' pages: the staff accounts
// (agents, supervisors, the help desk), created, disabled and enabled;
// the read-only mode's switch; the outages of the portal and planned
// maintenance, declared and corrected.
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
	Outages  *casework.Outages
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
		{Pattern: paths.Get(paths.AdminOutages), Who: web.AdminOnly, Handler: s.outages},
		{Pattern: paths.Post(paths.AdminOutages), Who: web.AdminOnly, Handler: s.declareOutage},
		{Pattern: paths.Get(paths.AdminOutage), Who: web.AdminOnly, Handler: s.outage},
		{Pattern: paths.Post(paths.AdminOutage), Who: web.AdminOnly, Handler: s.correctOutage},
	}
}
