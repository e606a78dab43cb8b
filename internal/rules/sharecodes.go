package rules

// ShareCodes are the rules of share codes: the codes a person creates at
// /partage so that an employer (or a landlord) can check their right to
// work. The lifetime is the portal's policy, modelled on the UK's share
// code (90 days), and kept here so that the page, the mail and the check
// say the same thing.
type ShareCodes struct {
	// ValidityDays is how long a code works after it is created.
	ValidityDays int `json:"validity_days"`
}

// maxShareDays bounds a code's lifetime: a code lives at most a year.
const maxShareDays = 366

func (ch *checker) shareCodes(s ShareCodes) {
	if s.ValidityDays < 1 || s.ValidityDays > maxShareDays {
		ch.add("share_codes: validity_days must be between 1 and %d (got %d)", maxShareDays, s.ValidityDays)
	}
}
