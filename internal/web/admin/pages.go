// Package admin serves the administrators' pages: the staff accounts
// (agents, supervisors, the help desk), created, disabled and enabled.
package admin

import (
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
		{Pattern: "GET /admin/agents", Who: web.AdminOnly, Handler: s.staffAccounts},
		{Pattern: "POST /admin/agents", Who: web.AdminOnly, Handler: s.createStaff},
		{Pattern: "POST /admin/agents/{account}/desactivation", Who: web.AdminOnly, Handler: s.disableStaff},
		{Pattern: "POST /admin/agents/{account}/reactivation", Who: web.AdminOnly, Handler: s.enableStaff},
	}
}
