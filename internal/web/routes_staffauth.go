package web

// secondFactorPath is the page every back-office route sends a staff
// session to until it has passed the second factor.
const secondFactorPath = "/agent/double-authentification"

// staffAuthRoutes are this part of the back office's routes (see routes.go):
// the second factor, and the admin's pages of staff accounts.
func (s *Server) staffAuthRoutes() []route {
	return []route{
		{"GET " + secondFactorPath, staffPending, s.secondFactorForm},
		{"POST " + secondFactorPath, staffPending, s.secondFactor},
		{"GET " + secondFactorPath + "/qr.png", staffPending, s.enrolmentQR},
		{"POST " + secondFactorPath + "/enrolement", staffPending, s.enrol},

		{"GET /admin/agents", adminOnly, s.staffAccounts},
		{"POST /admin/agents", adminOnly, s.createStaff},
		{"POST /admin/agents/{account}/desactivation", adminOnly, s.disableStaff},
		{"POST /admin/agents/{account}/reactivation", adminOnly, s.enableStaff},
	}
}
