package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/clock"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/store"
)

// TestDemoCasesAtEveryStage loads the demonstration twice and finds the
// back office's cases at their stages, each once.
func TestDemoCasesAtEveryStage(t *testing.T) {
	dir := t.TempDir()
	for i := range 2 {
		var out bytes.Buffer
		if err := run(t.Context(), []string{"demo", "-load-only"}, env(map[string]string{"SEJOUR_DATA_DIR": dir}), &out); err != nil {
			t.Fatalf("demo %d: %v\n%s", i+1, err, out.String())
		}
		if !strings.Contains(out.String(), "mei.chen@demo.sejour.localhost") {
			t.Fatalf("the demonstration cases are not listed:\n%s", out.String())
		}
	}
	db, err := store.Open(context.Background(), "", filepath.Join(dir, "sejour.db"), clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for email, want := range map[string]permit.State{
		"fatou.camara@demo.sejour.localhost": permit.StateSubmitted,
		"ivan.petrov@demo.sejour.localhost":  permit.StateIncomplete,
		"mei.chen@demo.sejour.localhost":     permit.StateFavourable,
		"joao.silva@demo.sejour.localhost":   permit.StateCardReady,
		"amadou.ba@demo.sejour.localhost":    permit.StateUnfavourable,
	} {
		acc, _, err := db.Accounts().AccountByEmail(t.Context(), email)
		if err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		p, err := db.PersonByAccount(t.Context(), acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		apps, _ := db.ApplicationsByPerson(t.Context(), p.ID)
		if len(apps) != 1 || apps[0].State != want {
			t.Fatalf("%s: applications %+v, want one %s", email, apps, want)
		}
		if want == permit.StateFavourable {
			atts, _ := db.Attestations(t.Context(), apps[0].ID)
			if len(atts) != 2 || atts[1].Kind != permit.AttestationFavourable || atts[1].Code == "" {
				t.Fatalf("%s: attestations %+v, want the filing receipt and a sealed favourable-decision one", email, atts)
			}
			// She asked once for her birth place to be corrected.
			cs, _ := db.CorrectionsByPerson(t.Context(), p.ID)
			if len(cs) != 1 || cs[0].Status != permit.CorrectionPending || cs[0].Fields[0].Field != permit.FieldBirthPlace {
				t.Fatalf("%s: correction requests %+v, want one pending on the birth place", email, cs)
			}
		}
	}
	// The support queue has its two reports, once, and the help desk its account.
	reports, _ := db.Support().Reports(t.Context(), permit.ReportFilter{Scope: permit.ReportScope{All: true}, Limit: 10})
	if len(reports) != 2 || reports[0].AccountID != 0 || reports[0].ErrorRef == "" || reports[1].ApplicationID == 0 {
		t.Errorf("demonstration reports: %+v", reports)
	}
	if a, _, err := db.Accounts().AccountByEmail(t.Context(), "assistance@demo.sejour.localhost"); err != nil || !a.HelpDesk() {
		t.Errorf("demonstration help desk: %+v, %v", a, err)
	}
	// The public statistics were computed at load, on the history
	// written once: Paris's students are published, Seine-Saint-Denis
	// is not.
	stats, err := store.Statistics{DB: db}.LatestStatistics(t.Context())
	if err != nil {
		t.Fatalf("demonstration statistics: %v", err)
	}
	for _, c := range stats.Cells {
		switch {
		case c.Prefecture == "75" && c.Ground == "student" && (c.Filed.Value == nil || *c.Filed.Value != 29):
			t.Errorf("Paris's students: %+v", c.Filed)
		case c.Prefecture == "93" && c.Ground == "" && !c.Suppressed:
			t.Errorf("Seine-Saint-Denis is published: %+v", c)
		}
	}
}

// TestDemoListensOnLoopback: the demonstration, whose passwords are
// printed and whose mails (reset links) are shown, listens on this machine
// only unless told otherwise (issue 13, item 10).
func TestDemoListensOnLoopback(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		env      map[string]string
		addr     string
		loadOnly bool
	}{
		{nil, nil, "127.0.0.1:8080", false},
		{[]string{"-load-only"}, nil, "127.0.0.1:8080", true},
		{nil, map[string]string{"SEJOUR_ADDR": ":9000"}, ":9000", false},
		{[]string{"-listen", "0.0.0.0:8080"}, nil, "0.0.0.0:8080", false},
	} {
		addr, loadOnly, err := demoFlags(tt.args, env(tt.env))
		if err != nil || addr != tt.addr || loadOnly != tt.loadOnly {
			t.Errorf("demo %v with %v: %q %v %v, want %q %v", tt.args, tt.env, addr, loadOnly, err, tt.addr, tt.loadOnly)
		}
	}
	if _, _, err := demoFlags([]string{"-listen", "nowhere"}, env(nil)); err == nil {
		t.Error("demo -listen nowhere: accepted")
	}
}

// TestDemoPrintsACheckThatWorks loads the demonstration, then runs the
// check its printed curl command describes against the program: the
// printed key and share code answer a match.
func TestDemoPrintsACheckThatWorks(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := run(t.Context(), []string{"demo", "-load-only"}, env(map[string]string{"SEJOUR_DATA_DIR": dir}), &out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	var line string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "curl ") {
			line = l
		}
	}
	key := between(line, "Authorization: Bearer ", "'")
	body := between(line, "-d '", "'")
	if key == "" || !strings.Contains(body, `"share_code"`) || !strings.HasSuffix(line, "/api/v1/work-checks") {
		t.Fatalf("no ready curl command in:\n%s", out.String())
	}
	db, err := store.Open(context.Background(), "", filepath.Join(dir, "sejour.db"), clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	k, _, err := (store.Employers{DB: db}).APIKeyByPrefix(t.Context(), strings.Split(key, "_")[1])
	if err != nil || k.RevokedAt != nil {
		t.Fatalf("the printed key is not stored: %v", err)
	}
	// One pre-hire declaration waits in the demo prefecture's queue.
	number := between(out.String(), "A pre-hire declaration ", " ")
	q, err := (store.Declarations{DB: db}).OrganisationDeclarations(t.Context(), k.OrganisationID, 10)
	if err != nil || len(q) == 0 || q[0].Number != number || q[0].Status != permit.DeclarationReferred {
		t.Errorf("the demo's declaration %q: %+v, %v", number, q, err)
	}
}

// between is the text of s after from and before the next to.
func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}
