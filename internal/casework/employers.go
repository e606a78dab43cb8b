package casework

import (
	"context"
	"crypto/subtle"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sejour/sejour/internal/audit"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// EmployerStore is what employers' organisations need from the database:
// the organisation and its first member signed up together, the members,
// the API keys.
type EmployerStore interface {
	SignUpOrganisation(ctx context.Context, o *permit.Organisation, a *permit.Account, passwordHash string, tok *permit.Token, m *permit.Mail) error
	Organisation(ctx context.Context, id int64) (*permit.Organisation, error)
	Members(ctx context.Context, organisationID int64) ([]*permit.Account, error)
	CreateAPIKey(ctx context.Context, k *permit.APIKey, hash string) error
	APIKeys(ctx context.Context, organisationID int64) ([]*permit.APIKey, error)
	APIKeyByPrefix(ctx context.Context, prefix string) (*permit.APIKey, string, error)
	RevokeAPIKey(ctx context.Context, organisationID, id int64) error
}

// Employers are employers' organisations: signing one up with its first
// member, inviting members, and the API keys. Every method takes the
// acting account; another organisation's key is "not found". It needs
// Accounts for the password policy and hashing, the mailed links and the
// invited accounts.
type Employers struct {
	Accounts *Accounts
	Store    EmployerStore
}

// Bounds on what an organisation types.
const (
	maxOrgName  = 120
	maxAddress  = 200
	maxKeyName  = 60
	apiKeyStart = "sjk_" // every API key begins so, which secret scanners can look for
)

// EmployerSignUpForm is what an employer types to sign up: the
// organisation, and its first member, who administers it.
type EmployerSignUpForm struct {
	Name, SIRET                 string
	AddressLine, Postcode, City string
	Email, Password, Confirm    string
	Lang                        string
}

// Validate returns per-field translation keys for what is wrong, the
// member's fields by the applicants' rules (SignUpForm).
func (f *EmployerSignUpForm) Validate() error {
	member := SignUpForm{Email: f.Email, Password: f.Password, Confirm: f.Confirm}
	errs := permit.FieldErrors(member.Validate())
	if errs == nil {
		errs = map[string]string{}
	}
	text := func(field, v string, max int) {
		if v = strings.TrimSpace(v); v == "" {
			errs[field] = "employers.error." + field + "_required"
		} else if utf8.RuneCountInString(v) > max {
			errs[field] = "employers.error.too_long"
		}
	}
	text("name", f.Name, maxOrgName)
	text("address", f.AddressLine, maxAddress)
	text("city", f.City, maxOrgName)
	if siret := permit.NormalizeSIRET(f.SIRET); siret == "" {
		errs["siret"] = "employers.error.siret_required"
	} else if !permit.ValidSIRET(siret) {
		errs["siret"] = "employers.error.siret"
	}
	if _, ok := (permit.Address{Postcode: f.Postcode}).Department(); !ok {
		errs["postcode"] = "employers.error.postcode"
	}
	return permit.Invalid(errs)
}

// SignUp creates an organisation and its first member, its admin, and
// mails the member the same confirmation link as an applicant's: once
// confirmed, the member logs in and checks at once. A SIRET signed up
// already is a field error (the organisation's admin invites members);
// an address that has an account is mailed a notice, and the answer is
// the same as for a new one.
func (s *Employers) SignUp(ctx context.Context, f EmployerSignUpForm) error {
	if err := f.Validate(); err != nil {
		return err
	}
	a, lang := s.Accounts, s.Accounts.Tr.Supported(f.Lang)
	hash, err := a.hash(ctx, f.Password)
	if err != nil {
		return err
	}
	o := &permit.Organisation{Name: strings.TrimSpace(f.Name), SIRET: permit.NormalizeSIRET(f.SIRET),
		Address: permit.Address{Line: strings.TrimSpace(f.AddressLine), Postcode: strings.TrimSpace(f.Postcode), City: strings.TrimSpace(f.City)}}
	member := &permit.Account{Email: f.Email, Role: permit.RoleEmployer, Lang: lang, OrgAdmin: true}
	secret, tokHash := NewSecret()
	tok := &permit.Token{Hash: tokHash, Purpose: permit.TokenConfirmEmail, ExpiresAt: a.Clock.Now().Add(ConfirmTTL)}
	to := permit.NormalizeEmail(f.Email)
	m := a.linkMail(lang, to, "mail.confirm", a.BaseURL+paths.Confirm.Format(secret), tok.ExpiresAt)
	ctx = audit.With(ctx, audit.Entry{Action: "employer_signup", Detail: o.Name + " (SIRET " + o.SIRET + ")",
		Resolve: func(e *audit.Entry) { e.ActorAccountID = member.ID }})
	err = s.Store.SignUpOrganisation(ctx, o, member, hash, tok, m)
	if key, _ := permit.ErrorMessage(err); key == "employers.error.siret_taken" {
		return permit.Invalid(map[string]string{"siret": key})
	} else if permit.ErrorCode(err) == permit.ECONFLICT {
		return a.Store.EnqueueMail(ctx, a.mail(lang, to, "mail.already", a.BaseURL+paths.Forgot.String()))
	}
	return err
}

// member returns the organisation of an employer account, or ENOTFOUND
// for anyone else; admin requires the account to administer it.
func (s *Employers) member(ctx context.Context, acc *permit.Account, admin bool) (*permit.Organisation, error) {
	if !acc.Employer() || (admin && !acc.OrgAdmin) {
		return nil, errNotFound
	}
	return s.Store.Organisation(ctx, acc.OrganisationID)
}

// Organisation is the member's own organisation.
func (s *Employers) Organisation(ctx context.Context, acc *permit.Account) (*permit.Organisation, error) {
	return s.member(ctx, acc, false)
}

// Members lists the organisation's members, for its admins.
func (s *Employers) Members(ctx context.Context, acc *permit.Account) ([]*permit.Account, error) {
	if _, err := s.member(ctx, acc, true); err != nil {
		return nil, err
	}
	return s.Store.Members(ctx, acc.OrganisationID)
}

// Invite creates a member account in the admin's organisation and mails
// it a single-use link, valid InviteTTL, to choose its password, as staff
// are invited: account, link and mail in one transaction, with the audit
// entry. An address that has an account is a field error.
func (s *Employers) Invite(ctx context.Context, acc *permit.Account, email, lang string) error {
	o, err := s.member(ctx, acc, true)
	if err != nil {
		return err
	}
	if key := checkEmail(email); key != "" {
		return permit.Invalid(map[string]string{"email": key})
	}
	a := s.Accounts
	invited := &permit.Account{Email: email, Role: permit.RoleEmployer, Lang: a.Tr.Supported(lang), OrganisationID: o.ID}
	secret, tokHash := NewSecret()
	tok := &permit.Token{Hash: tokHash, Purpose: permit.TokenResetPassword, ExpiresAt: a.Clock.Now().Add(InviteTTL)}
	m := a.linkMail(invited.Lang, permit.NormalizeEmail(email), "employers.mail.invite", a.BaseURL+paths.Reset.Format(secret), tok.ExpiresAt)
	m.Text = a.Tr.T(invited.Lang, "employers.mail.invite.body", o.Name, a.BaseURL+paths.Reset.Format(secret))
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: acc.ID, Action: "employer_invite", Detail: permit.NormalizeEmail(email) + " → " + o.Name})
	err = a.Store.CreateAccount(ctx, invited, "", tok, m)
	if permit.ErrorCode(err) == permit.ECONFLICT {
		return permit.Invalid(map[string]string{"email": "employers.error.email_taken"})
	}
	return err
}

// APIKeys lists the organisation's keys, for its admins.
func (s *Employers) APIKeys(ctx context.Context, acc *permit.Account) ([]*permit.APIKey, error) {
	if _, err := s.member(ctx, acc, true); err != nil {
		return nil, err
	}
	return s.Store.APIKeys(ctx, acc.OrganisationID)
}

// CreateAPIKey makes a named key for the admin's organisation and returns
// its text, shown this once: only its SHA-256 is kept. The key is
// sjk_<prefix>_<secret>, the prefix naming it in lists, the secret 256
// random bits.
func (s *Employers) CreateAPIKey(ctx context.Context, acc *permit.Account, name string) (string, *permit.APIKey, error) {
	o, err := s.member(ctx, acc, true)
	if err != nil {
		return "", nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "", nil, permit.Invalid(map[string]string{"name": "employers.error.key_name_required"})
	} else if utf8.RuneCountInString(name) > maxKeyName {
		return "", nil, permit.Invalid(map[string]string{"name": "employers.error.too_long"})
	}
	prefix := strings.ToLower(randomCode(8))
	secret, _ := NewSecret()
	text := apiKeyStart + prefix + "_" + secret
	k := &permit.APIKey{OrganisationID: o.ID, Name: name, Prefix: prefix, CreatedBy: acc.ID}
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: acc.ID, Action: "api_key_create", Detail: o.Name + ": " + prefix + " " + name})
	if err := s.Store.CreateAPIKey(ctx, k, HashSecret(text)); err != nil {
		return "", nil, err
	}
	return text, k, nil
}

// RevokeAPIKey ends one of the organisation's keys at once.
func (s *Employers) RevokeAPIKey(ctx context.Context, acc *permit.Account, id int64) error {
	if _, err := s.member(ctx, acc, true); err != nil {
		return err
	}
	ctx = audit.With(ctx, audit.Entry{ActorAccountID: acc.ID, Action: "api_key_revoke", Detail: "key " + strconv.FormatInt(id, 10)})
	return s.Store.RevokeAPIKey(ctx, acc.OrganisationID, id)
}

// errBadKey is the one answer to a missing, malformed, unknown or revoked
// API key.
var errBadKey = permit.Errorf(permit.EUNAUTHORIZED, "employers.error.api_key")

// AuthenticateKey returns the live key of an Authorization header's
// bearer text and its organisation, or EUNAUTHORIZED whatever is wrong.
// The key's hash is compared in constant time.
func (s *Employers) AuthenticateKey(ctx context.Context, text string) (*permit.APIKey, *permit.Organisation, error) {
	rest, ok := strings.CutPrefix(text, apiKeyStart)
	prefix, _, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 || len(text) > 200 || prefix == "" {
		return nil, nil, errBadKey
	}
	k, hash, err := s.Store.APIKeyByPrefix(ctx, prefix)
	if permit.ErrorCode(err) == permit.ENOTFOUND {
		return nil, nil, errBadKey
	} else if err != nil {
		return nil, nil, err
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(HashSecret(text))) != 1 {
		return nil, nil, errBadKey
	}
	o, err := s.Store.Organisation(ctx, k.OrganisationID)
	if err != nil {
		return nil, nil, err
	}
	return k, o, nil
}
