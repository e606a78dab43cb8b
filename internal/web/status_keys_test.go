package web_test

import (
	"github.com/sejour/sejour/internal/casework"
	"github.com/sejour/sejour/internal/permit"
)

// statusKeys are the status page's keys built in code: the functions,
// their states, the kinds of outages, the checks and the steps of an
// outage's trail.
func statusKeys() []string {
	var keys []string
	for _, f := range permit.Functions {
		keys = append(keys, "status.function."+string(f))
	}
	for _, s := range []string{casework.StateOK, casework.StateDown, casework.StateMaintenance} {
		keys = append(keys, "status.state."+s)
	}
	for _, k := range permit.OutageKinds {
		keys = append(keys, "status.kind."+string(k))
	}
	for _, c := range permit.OutageChecks {
		keys = append(keys, "status.check."+c)
	}
	for _, a := range permit.OutageActions {
		keys = append(keys, "status.admin.step."+string(a))
	}
	return keys
}
