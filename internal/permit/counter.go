package permit

import "time"

// Channel is how an application reached the prefecture. Online is the
// applicant's own filing; the others are the backup channel, where an
// agent files on the person's behalf.
type Channel string

// The channels.
const (
	ChannelOnline  Channel = "online"
	ChannelCounter Channel = "counter" // at the prefecture's counter (guichet)
	ChannelPhone   Channel = "phone"   // by phone, with the help desk
	ChannelPaper   Channel = "paper"   // from a paper form: the receipt is a récépissé
)

// OnBehalfChannels are the channels an agent may file through, in the
// order forms show them.
var OnBehalfChannels = []Channel{ChannelCounter, ChannelPhone, ChannelPaper}

// ConsentWays are how a person may give consent to an agent filing for
// them, in the order forms show them.
var ConsentWays = []string{"in_person_oral", "signed_form", "phone_oral"}

// OnBehalf records how an application came in and, for the backup
// channel, who started it for the person and how they consented.
type OnBehalf struct {
	ApplicationID int64
	Channel       Channel
	By            int64 // the agent who started it; zero online
	ConsentAt     *time.Time
	ConsentBy     int64  // the agent who recorded the consent
	ConsentHow    string // one of ConsentWays
	// TakenOverAt is when the person claimed the file online; from then
	// on they act on it themselves.
	TakenOverAt *time.Time
}

// Assisted reports whether an agent may still act on the application on
// the person's behalf: it came in through the backup channel and the
// person has not taken it over online.
func (o *OnBehalf) Assisted() bool {
	return o != nil && o.Channel != ChannelOnline && o.Channel != "" && o.TakenOverAt == nil
}

// ClaimCode is a code handed to a person whose file an agent started, to
// take it over online. Only its hash is stored.
type ClaimCode struct {
	ID        int64
	Hash      string
	PersonID  int64
	IssuedBy  int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
	ClaimedBy int64
}

// PersonQuery is how staff look a person up: by foreigner number, by
// surname and birth date together, or by e-mail (the account's or the
// contact address an agent recorded). Empty fields are not criteria.
type PersonQuery struct {
	ForeignerNumber string
	Surname         string
	BirthDate       string
	Email           string
}
