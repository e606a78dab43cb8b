// Package employer serves the pages of employers (issue 14): signing an
// organisation up, checking a person's right to work with the share code
// and birth date they give, the organisation's history of checks with
// their signed records, and, for the organisation's administrators, its
// members and API keys; and the API of checks, for programs holding a
// key.
package employer

import (
	"strconv"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/web"
)

// Pages are the employers' pages. They render through the core server and
// call only the use cases named here.
type Pages struct {
	*web.Server
	Employers    *casework.Employers
	WorkChecks   *casework.WorkChecks
	Declarations *casework.Declarations
	Records      web.ReceiptRenderer // the check records' and declarations' PDFs
	FollowUps    *casework.FollowUps
}

// Routes are the employers' routes.
func (s *Pages) Routes() []web.Route {
	return []web.Route{
		{Pattern: paths.Get(paths.EmployerSignUp), Who: web.GuestOnly, Handler: s.Show("employer_signup", "employers.signup.title")},
		{Pattern: paths.Post(paths.EmployerSignUp), Who: web.GuestOnly, Handler: s.signUp},
		{Pattern: paths.Get(paths.EmployerHome), Who: web.Employer, Handler: s.home},
		{Pattern: paths.Get(paths.EmployerCheck), Who: web.Employer, Handler: s.checkForm},
		{Pattern: paths.Post(paths.EmployerCheck), Who: web.Employer, Handler: s.check},
		{Pattern: paths.Get(paths.EmployerHistory), Who: web.Employer, Handler: s.history},
		{Pattern: paths.Get(paths.EmployerRecord), Who: web.Employer, Handler: s.record},
		{Pattern: paths.Get(paths.EmployerMembers), Who: web.EmployerAdmin, Handler: s.members},
		{Pattern: paths.Post(paths.EmployerMembers), Who: web.EmployerAdmin, Handler: s.invite},
		{Pattern: paths.Get(paths.EmployerKeys), Who: web.EmployerAdmin, Handler: s.keys},
		{Pattern: paths.Post(paths.EmployerKeys), Who: web.EmployerAdmin, Handler: s.createKey},
		{Pattern: paths.Post(paths.EmployerKeyRevoke), Who: web.EmployerAdmin, Handler: s.revokeKey},
		{Pattern: paths.Post(paths.APIWorkChecks), Who: web.APIClient, Handler: s.apiCheck},
		{Pattern: paths.Get(paths.APIWorkCheck), Who: web.APIClient, Handler: s.apiRecord},
		{Pattern: paths.Get(paths.EmployerDeclarations), Who: web.Employer, Handler: s.declarations},
		{Pattern: paths.Post(paths.EmployerDeclarations), Who: web.Employer, Handler: s.declare},
		{Pattern: paths.Get(paths.EmployerDeclaration), Who: web.Employer, Handler: s.declaration},
		{Pattern: paths.Get(paths.EmployerDeclarationRecord), Who: web.Employer, Handler: s.declarationRecord},
		{Pattern: paths.Post(paths.APIDeclarations), Who: web.APIClient, Handler: s.apiDeclare},
		{Pattern: paths.Get(paths.APIDeclaration), Who: web.APIClient, Handler: s.apiDeclaration},
		{Pattern: paths.Get(paths.APIDeclarationRecord), Who: web.APIClient, Handler: s.apiDeclarationRecord},
		{Pattern: paths.Get(paths.APIFollowUpProof), Who: web.APIClient, Handler: s.apiProof},
		{Pattern: paths.Post(paths.FollowUpAsk), Who: web.Employer, Handler: s.ask},
		{Pattern: paths.Get(paths.FollowUps), Who: web.Employer, Handler: s.followUps},
		{Pattern: paths.Get(paths.FollowUpProof), Who: web.Employer, Handler: s.proof},
		{Pattern: paths.Post(paths.FollowUpEnd), Who: web.Employer, Handler: s.endFollowUp},
		{Pattern: paths.Get(paths.EmployerWebhook), Who: web.EmployerAdmin, Handler: s.webhook},
		{Pattern: paths.Post(paths.EmployerWebhook), Who: web.EmployerAdmin, Handler: s.setWebhook},
		{Pattern: paths.Post(paths.WebhookRotate), Who: web.EmployerAdmin, Handler: s.rotateWebhook},
		{Pattern: paths.Post(paths.WebhookRemove), Who: web.EmployerAdmin, Handler: s.removeWebhook},
	}
}

// limitCheck applies the checks' rate limits: per organisation and per
// client address.
func (s *Pages) limitCheck(org *permit.Organisation, ip string) error {
	return s.Limit("workcheck-org", strconv.FormatInt(org.ID, 10), "workcheck-ip", ip)
}
