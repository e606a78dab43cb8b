package web_test

import "github.com/sejour/sejour/internal/permit"

// supportKeys are the translation keys support builds from a value.
func supportKeys() []string {
	var keys []string
	for _, st := range permit.ReportStatuses {
		keys = append(keys, "support.status."+string(st))
	}
	for _, c := range permit.ReportCategories {
		keys = append(keys, "support.category."+string(c))
	}
	for _, pr := range permit.ReportPriorities {
		keys = append(keys, "support.priority."+string(pr))
	}
	for _, k := range []permit.ReportEventKind{permit.ReportCreated, permit.ReportReply, permit.ReportAnswer, permit.ReportTriage,
		permit.ReportAssign, permit.ReportResolve, permit.ReportReopen} {
		keys = append(keys, "support.step."+string(k))
	}
	for _, d := range []string{"triage", "assign", "answer", "resolve", "reopen"} {
		keys = append(keys, "support.desk.done."+d)
	}
	for _, m := range []string{"created", "answer", "resolved"} {
		keys = append(keys, "support.mail."+m+".subject", "support.mail."+m+".body")
	}
	return keys
}
