package store

// The store's rooms. DB keeps the connection, transactions, migrations
// and the reads that every use case shares (a person, an application, a
// case's parts); each room below holds the writes and reads of one use
// case, so that a use case is given only the room it needs. Every room
// shares the DB it was taken from, and every method is still one
// transaction.
type (
	// Accounts: sign-up, log-in, sessions, mailed tokens, staff accounts
	// and their second factor.
	Accounts struct{ *DB }
	// Files: persons, permits, applications, documents, filings,
	// completion requests and messages.
	Files struct{ *DB }
	// Issuance: issuing, signing, superseding and revoking attestations
	// (the verifier's read is Standings, in standing.go).
	Issuance struct{ *DB }
	// Audit: the readers of the audit trail (and its chain check) and of
	// the moves between prefectures.
	Audit struct{ *DB }
	// Contacts: changes of contact data, moves, pending e-mail addresses.
	Contacts struct{ *DB }
	// Corrections: requests to correct a person's civil data.
	Corrections struct{ *DB }
	// Counter: filing on a person's behalf and claim codes.
	Counter struct{ *DB }
	// Decisions: the prefecture's steps on a case.
	Decisions struct{ *DB }
	// Mails: the outbox the job queue delivers.
	Mails struct{ *DB }
	// WorkQueue: the prefecture's work queue.
	WorkQueue struct{ *DB }
	// Support: reports of problems and incidents.
	Support struct{ *DB }
	// Keys: the keys that sign attestation codes, shared by every
	// instance (package seal seals and opens them).
	Keys struct{ *DB }
)

// Accounts returns the accounts' room.
func (db *DB) Accounts() Accounts { return Accounts{db} }

// Files returns the files' room.
func (db *DB) Files() Files { return Files{db} }

// Issuance returns the attestations' room.
func (db *DB) Issuance() Issuance { return Issuance{db} }

// Audit returns the audit trail's room.
func (db *DB) Audit() Audit { return Audit{db} }

// Contacts returns the contact changes' room.
func (db *DB) Contacts() Contacts { return Contacts{db} }

// Corrections returns the corrections' room.
func (db *DB) Corrections() Corrections { return Corrections{db} }

// Counter returns the counter's room.
func (db *DB) Counter() Counter { return Counter{db} }

// Decisions returns the decisions' room.
func (db *DB) Decisions() Decisions { return Decisions{db} }

// Mails returns the outbox.
func (db *DB) Mails() Mails { return Mails{db} }

// WorkQueue returns the work queue's room.
func (db *DB) WorkQueue() WorkQueue { return WorkQueue{db} }

// Support returns the support's room.
func (db *DB) Support() Support { return Support{db} }

// Keys returns the signing keys' room.
func (db *DB) Keys() Keys { return Keys{db} }
