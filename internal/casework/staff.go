package casework

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// StaffStore is what administering staff accounts needs from the database.
type StaffStore interface {
	Prefectures(ctx context.Context) ([]*permit.Prefecture, error)
	StaffAccounts(ctx context.Context) ([]*permit.Account, error)
	SetStaffDisabled(ctx context.Context, accountID int64, disabled bool) error
}

// The titles an admin chooses from when creating a staff account.
const (
	TitleAgent      = "agent"
	TitleSupervisor = "supervisor"
	TitleAdmin      = "admin"
	TitleHelpDesk   = "help_desk"
)

// StaffForm is what an admin types to create a staff account.
type StaffForm struct {
	Email       string
	Title       string   // agent, supervisor, admin or help_desk
	Prefectures []string // prefecture ids, as the form sends them
	Lang        string   // of the invitation mail
}

// account validates the form into the account to create, or returns
// per-field errors. known are the prefectures that exist.
func (f *StaffForm) account(known []*permit.Prefecture) (*permit.Account, error) {
	errs := map[string]string{}
	if key := checkEmail(f.Email); key != "" {
		errs["email"] = key
	}
	a := &permit.Account{Email: f.Email, Lang: f.Lang}
	switch f.Title {
	case TitleAgent, TitleSupervisor:
		a.Role, a.Supervisor = permit.RoleAgent, f.Title == TitleSupervisor
	case TitleAdmin:
		a.Role = permit.RoleAdmin
	case TitleHelpDesk:
		a.Role = permit.RoleHelpDesk
	default:
		errs["title"] = "staffauth.error.title"
	}
	for _, v := range f.Prefectures {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !slices.ContainsFunc(known, func(p *permit.Prefecture) bool { return p.ID == id }) {
			errs["prefectures"] = "staffauth.error.prefecture"
			break
		}
		if !slices.Contains(a.Prefectures, id) {
			a.Prefectures = append(a.Prefectures, id)
		}
	}
	if a.Role == permit.RoleAgent && len(a.Prefectures) == 0 && errs["prefectures"] == "" {
		errs["prefectures"] = "staffauth.error.prefecture_required"
	}
	if a.Role == permit.RoleHelpDesk {
		a.Prefectures = nil // the help desk answers every prefecture's users, and opens no case
	}
	return a, permit.Invalid(errs)
}

// StaffList is every staff account, for an admin.
func (s *Accounts) StaffList(ctx context.Context, actor *permit.Account) ([]*permit.Account, error) {
	if !actor.Admin() {
		return nil, permit.Errorf(permit.EFORBIDDEN, "error.forbidden")
	}
	return s.Store.StaffAccounts(ctx)
}

// Prefectures lists the prefectures staff can be scoped to.
func (s *Accounts) Prefectures(ctx context.Context) ([]*permit.Prefecture, error) {
	return s.Store.Prefectures(ctx)
}

// CreateStaff creates a staff account on an admin's behalf and mails the
// new staff member a single-use link to choose their password; account,
// link and mail are written in one transaction. The account has no
// password until then, so nobody can log in to it.
func (s *Accounts) CreateStaff(ctx context.Context, actor *permit.Account, f StaffForm) (*permit.Account, error) {
	if !actor.Admin() {
		return nil, permit.Errorf(permit.EFORBIDDEN, "error.forbidden")
	}
	known, err := s.Store.Prefectures(ctx)
	if err != nil {
		return nil, err
	}
	a, err := f.account(known)
	if err != nil {
		return nil, err
	}
	a.Lang = s.Tr.Supported(a.Lang)
	secret, tokHash := NewSecret()
	tok := &permit.Token{Hash: tokHash, Purpose: permit.TokenResetPassword, ExpiresAt: s.Clock.Now().Add(InviteTTL)}
	m := s.linkMail(a.Lang, permit.NormalizeEmail(a.Email), "staffauth.mail.invite", s.BaseURL+paths.Reset.Format(secret), tok.ExpiresAt)
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: actor.ID, Action: "staff_create",
		Detail: permit.NormalizeEmail(a.Email) + " " + f.Title})
	err = s.Store.CreateAccount(ctx, a, "", tok, m)
	if permit.ErrorCode(err) == permit.ECONFLICT {
		return nil, permit.Invalid(map[string]string{"email": "staffauth.error.email_taken"})
	} else if err != nil {
		return nil, err
	}
	return a, nil
}

// SetStaffDisabled disables a staff account, ending all its sessions at
// once, or enables it again. An admin cannot disable themself: the portal
// would risk having no admin left.
func (s *Accounts) SetStaffDisabled(ctx context.Context, actor *permit.Account, id int64, disabled bool) error {
	if !actor.Admin() {
		return permit.Errorf(permit.EFORBIDDEN, "error.forbidden")
	}
	if id == actor.ID {
		return permit.Errorf(permit.EFORBIDDEN, "staffauth.error.self")
	}
	action := "staff_enable"
	if disabled {
		action = "staff_disable"
	}
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: actor.ID, Action: action, Detail: "account " + strconv.FormatInt(id, 10)})
	return s.Store.SetStaffDisabled(ctx, id, disabled)
}

// CreateAdmin creates a confirmed admin account from the command line and
// returns a single-use link to choose its password: no password ever
// appears on a command line. prefectureCodes scope it (an admin sees every
// prefecture anyway). An address that has an account is ECONFLICT.
func (s *Accounts) CreateAdmin(ctx context.Context, email string, prefectureCodes []string) (string, error) {
	if key := checkEmail(email); key != "" {
		return "", fmt.Errorf("%q is not an e-mail address", email)
	}
	known, err := s.Store.Prefectures(ctx)
	if err != nil {
		return "", err
	}
	now := s.Clock.Now()
	a := &permit.Account{Email: email, Role: permit.RoleAdmin, Lang: i18n.Default, ConfirmedAt: &now}
	for _, code := range prefectureCodes {
		i := slices.IndexFunc(known, func(p *permit.Prefecture) bool { return strings.EqualFold(p.Code, code) })
		if i < 0 {
			return "", fmt.Errorf("no prefecture has the code %q", code)
		}
		a.Prefectures = append(a.Prefectures, known[i].ID)
	}
	secret, tokHash := NewSecret()
	tok := &permit.Token{Hash: tokHash, Purpose: permit.TokenResetPassword, ExpiresAt: now.Add(InviteTTL)}
	ctx = audit.With(ctx, audit.Entry{Action: "staff_create", Detail: permit.NormalizeEmail(email) + " admin (command line)"})
	if err := s.Store.CreateAccount(ctx, a, "", tok, nil); err != nil {
		if permit.ErrorCode(err) == permit.ECONFLICT {
			return "", fmt.Errorf("%s already has an account", permit.NormalizeEmail(email))
		}
		return "", err
	}
	return s.BaseURL + paths.Reset.Format(secret), nil
}
