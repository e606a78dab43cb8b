package permit

import (
	"net/netip"
	"time"
)

// FollowUpState is where a follow-up stands: asked by the employer,
// accepted by the person (active), declined, or ended by either side.
type FollowUpState string

// The states of a follow-up. Only an active one is told of events and
// gives a proof.
const (
	FollowUpRequested FollowUpState = "requested"
	FollowUpActive    FollowUpState = "active"
	FollowUpDeclined  FollowUpState = "declined"
	FollowUpEnded     FollowUpState = "ended"
)

// FollowUp is an organisation's standing follow-up of a person's right to
// work (issue 14, part 5), asked after a check that matched and active
// only once the person said yes.
type FollowUp struct {
	ID             int64
	OrganisationID int64
	Organisation   string // its name, read with the follow-up
	SIRET          string
	PersonID       int64
	GivenNames     string // the person's names, read with the follow-up
	Surname        string
	WorkCheckID    int64 // the check it was asked after
	RequestedBy    int64
	RequestedAt    time.Time
	State          FollowUpState
	AnsweredAt     *time.Time
	EndedAt        *time.Time
	EndedBy        string // "worker" or "employer" once ended
}

// Active reports whether the follow-up is told of events.
func (f *FollowUp) Active() bool { return f.State == FollowUpActive }

// Open reports whether it may still be answered or ended.
func (f *FollowUp) Open() bool { return f.State == FollowUpRequested || f.State == FollowUpActive }

// FollowUpEventKind is what happened to a followed right. An event says
// only its kind and its day: nothing of the case behind it.
type FollowUpEventKind string

// The events a follow-up is told of.
const (
	EventRenewalFiled       FollowUpEventKind = "renewal_filed"
	EventExtensionIssued    FollowUpEventKind = "extension_issued"
	EventDecisionFavourable FollowUpEventKind = "decision_favourable"
	EventDecisionRefused    FollowUpEventKind = "decision_refused"
	EventRightEnds          FollowUpEventKind = "right_ends"
)

// FollowUpEventKinds lists them, in the order the documentation gives.
var FollowUpEventKinds = []FollowUpEventKind{EventRenewalFiled, EventExtensionIssued, EventDecisionFavourable, EventDecisionRefused, EventRightEnds}

// FollowUpEvent is one event of one follow-up, written once (its dedup
// key is unique per follow-up), then mailed and posted to the webhook.
type FollowUpEvent struct {
	ID          int64
	FollowUpID  int64
	Kind        FollowUpEventKind
	Day         string // YYYY-MM-DD: the day it happened; for right_ends, the right's last day
	CreatedAt   time.Time
	MailedAt    *time.Time
	DeliveredAt *time.Time
}

// Webhook is the address an organisation registered to be told of its
// follow-ups' events. Its signing secret is not stored: it is derived
// from the key-encryption key and Nonce, and shown once.
type Webhook struct {
	OrganisationID int64
	URL            string
	Nonce          string
	CreatedBy      int64
	CreatedAt      time.Time
}

// PublicAddress reports whether a webhook may reach ip: not unspecified,
// private (RFC 1918, fc00::/7), shared (100.64.0.0/10), link-local,
// multicast or in 0.0.0.0/8, and not loopback unless allowLoopback
// (development and tests). The registration checks a literal address with
// it, the delivery every address it dials.
func PublicAddress(ip netip.Addr, allowLoopback bool) bool {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return false
	case ip.IsLoopback():
		return allowLoopback
	case ip.IsUnspecified(), ip.IsPrivate(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(),
		ip.IsInterfaceLocalMulticast(), ip.IsMulticast():
		return false
	case ip.Is4() && (sharedSpace.Contains(ip) || ip.As4()[0] == 0):
		return false
	}
	return true
}

var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")
