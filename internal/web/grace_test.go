package web_test

import (
	"strings"
	"testing"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
)

// TestMultiYearCardGraceIsStated: an applicant renewing a card longer
// than one year, in time, reads on the application's page and on the
// dashboard until when the expired card stays valid (L.433-3, the
// catalogue's expired_card_grace_months after its last day); one renewing
// a one-year card reads nothing of the kind.
func TestMultiYearCardGraceIsStated(t *testing.T) {
	eachSite(t, func(t *testing.T, s *site) {
		s.prefecture("75", "75")
		cardEnd := permit.ParisDay(s.clk.Now()).AddDate(0, 0, 90)
		graceEnd := cardEnd.AddDate(0, s.uc.Rules.ExpiredCardGraceMonths, 0)
		until := i18n.MustLoad().Date("fr", graceEnd)

		id := s.renewalFiled("pluriannuelle@example.org", 3*365) // a card of three years and three months
		_, page := s.get(paths.Application.Format(id))
		mustContain(t, page, `id="grace"`, "reste valable jusqu&#39;au "+until, "L.433-3")
		_, page = s.get(paths.Dashboard.String())
		mustContain(t, page, "Votre carte reste valable jusqu&#39;au "+until)

		id = s.renewalFiled("annuelle@example.org", 365-90) // one year, to the day
		_, page = s.get(paths.Application.Format(id))
		mustNotContain(t, page, `id="grace"`, "L.433-3")
		_, page = s.get(paths.Dashboard.String())
		if strings.Contains(page, "reste valable jusqu") {
			t.Error("the dashboard states a grace for a one-year card")
		}
	})
}
