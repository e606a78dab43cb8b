package web

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/sejour/sejour/internal/paths"
)

// secretPaths are the pages whose path carries a secret (a mailed token,
// a report's follow code): a report or an incident names only their
// first part, never the secret.
var secretPaths = []string{secretPart(paths.Confirm), secretPart(paths.Reset), secretPart(paths.FollowCode),
	secretPart(paths.ContactLink), secretPart(paths.ContactUndo)}

// secretPart is the first part of a page addressed by a secret: its path
// up to the secret ("/suivi/").
func secretPart(t paths.Token) string {
	before, _, _ := strings.Cut(string(t), "{")
	return before
}

// ReportedPath is a path as reports and incidents may keep it: without
// its query, and without the secret of the pages that carry one.
func ReportedPath(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	for _, s := range secretPaths {
		if strings.HasPrefix(p, s) {
			return s
		}
	}
	if len(p) > 300 {
		p = p[:300]
	}
	return p
}

// applicationInPath finds the application a page is about, if its path
// names one (the applicant's and the back office's pages alike).
var applicationInPath = regexp.MustCompile(`/demandes/(\d+)(?:/|$)`)

// reportURL is the "report a problem" link of a page: it carries the page
// and the application the page is about, and the error reference on an
// error page. The form validates all of it again.
func reportURL(path, ref string) string {
	q := url.Values{}
	if p := ReportedPath(path); p != "" && !strings.HasPrefix(p, paths.Report.String()) {
		q.Set("page", p)
	}
	if m := applicationInPath.FindStringSubmatch(ReportedPath(path)); m != nil {
		q.Set("demande", m[1])
	}
	if ref != "" {
		q.Set("ref", ref)
	}
	if len(q) == 0 {
		return paths.Report.String()
	}
	return paths.Report.String() + "?" + q.Encode()
}

// ReportURL is the layout's "report a problem" link for this page.
func (p *Page) ReportURL() string { return reportURL(p.Path, "") }
