package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// ProofCookie holds the session proof (decision 0009): a token signed
// with a key every instance holds in memory, saying that this browser's
// session cookie belonged to an applicant's valid session a few minutes
// ago. Sessions live in the database; when it does not answer, the proof
// alone lets the applicant file (the attempt is recorded) and download
// the attestation of that attempt, and nothing else.
const ProofCookie = "__Host-sejour_proof"

// ProofTTL is how long a proof is accepted after it was last refreshed;
// it is refreshed on use when half of it is gone.
const ProofTTL = 30 * time.Minute

const proofPurpose = "session-proof"

// sessionProof binds an account to the session cookie it was made for
// (the start of the session's hash), until a moment.
type sessionProof struct {
	AccountID int64     `json:"a"`
	Session   string    `json:"s"`
	Until     time.Time `json:"u"`
}

// outageRoutes are what a session proof may call when the database is
// down: filing (which records an attempt) and the attempt's PDF.
var outageRoutes = []string{paths.Post(paths.File), paths.Post(paths.AttemptPDF)}

// outageKey marks a request let through on a session proof.
const outageKey ctxKey = 100

// readProof returns the proof the request carries for session secret,
// if it is genuine, still valid and made for that session.
func (s *Server) readProof(r *http.Request, secret string) (*sessionProof, bool) {
	if s.opts.Tokens == nil {
		return nil, false
	}
	c, err := r.Cookie(ProofCookie)
	if err != nil {
		return nil, false
	}
	b, ok := s.opts.Tokens.Open(proofPurpose, c.Value)
	var p sessionProof
	if !ok || json.Unmarshal(b, &p) != nil || p.Session != proofSession(secret) || !s.Clock.Now().Before(p.Until) {
		return nil, false
	}
	return &p, true
}

func proofSession(secret string) string { return casework.HashSecret(secret)[:32] }

// refreshProof gives an applicant's valid session its proof, or a new
// one when half of the old one's time is gone.
func (s *Server) refreshProof(w http.ResponseWriter, r *http.Request, secret string, a *permit.Account) {
	if s.opts.Tokens == nil || a.Role != permit.RoleApplicant {
		return
	}
	if p, ok := s.readProof(r, secret); ok && p.AccountID == a.ID && p.Until.Sub(s.Clock.Now()) > ProofTTL/2 {
		return
	}
	b, err := json.Marshal(sessionProof{AccountID: a.ID, Session: proofSession(secret), Until: s.Clock.Now().Add(ProofTTL).UTC()})
	if err != nil {
		return
	}
	SetCookie(w, ProofCookie, s.opts.Tokens.Sign(proofPurpose, b), ProofTTL)
}

// onProof lets a request through on its session proof when the database
// could not say whose session it is: only to the outage routes, as the
// applicant the proof names. It reports whether it did.
func (s *Server) onProof(w http.ResponseWriter, r *http.Request, secret string, next http.Handler) bool {
	if _, pattern := s.outage.Handler(r); pattern == "" {
		return false
	}
	p, ok := s.readProof(r, secret)
	if !ok {
		return false
	}
	a := &permit.Account{ID: p.AccountID, Role: permit.RoleApplicant}
	ctx := context.WithValue(context.WithValue(r.Context(), accountKey, a), outageKey, true)
	next.ServeHTTP(w, r.WithContext(ctx))
	return true
}

// OnProof reports whether the request came in on a session proof, the
// database not answering: its account has only an id.
func OnProof(r *http.Request) bool {
	v, _ := r.Context().Value(outageKey).(bool)
	return v
}

// EndSession clears the session cookie and its proof.
func EndSession(w http.ResponseWriter) {
	ClearCookie(w, SessionCookie)
	ClearCookie(w, ProofCookie)
}

// outageMux matches the outage routes.
func outageMux() *http.ServeMux {
	m := http.NewServeMux()
	for _, p := range outageRoutes {
		m.Handle(p, http.NotFoundHandler())
	}
	return m
}

// TimeOfDay writes the hour and minute of t in Paris: the moment of an
// attempt, to the minute.
func (p *Page) TimeOfDay(t time.Time) string { return t.In(permit.Paris).Format("15:04") }
