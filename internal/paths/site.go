package paths

// The public pages.
const (
	Home        Path  = "/{$}"
	Healthz     Path  = "/healthz"
	Readyz      Path  = "/readyz"
	Static      IDAnd = "/static/{version}/{path...}"
	Language    Token = "/langue/{lang}"
	Verify      Path  = "/verifier"
	APIVerify   Path  = "/api/v1/verify"
	KeySet      Path  = "/.well-known/sejour/keys.json"
	APIOpenAPI  Path  = "/api/openapi.json" // the API's description (docs/openapi.yaml), as JSON
	SignUp      Path  = "/inscription"
	SignUpSent  Path  = "/inscription/envoyee"
	Confirm     Token = "/confirmer/{token}"
	LogIn       Path  = "/connexion"
	LogOut      Path  = "/deconnexion"
	Forgot      Path  = "/mot-de-passe-oublie"
	Reset       Token = "/reinitialiser/{token}"
	Unlock      Token = "/connexion/debloquer/{token}"
	Report      Path  = "/signaler"
	Follow      Path  = "/suivi"
	FollowCode  Token = "/suivi/{token}"
	FollowShot  Token = "/suivi/{token}/capture"
	DevMails    Path  = "/dev/courriels"
	DevMail     ID    = "/dev/courriels/{id}"
	ContactLink Token = "/coordonnees/courriel/{token}"
	ContactUndo Token = "/coordonnees/annuler/{token}"
)

// The verifier that works offline, and its service worker: served from
// /verifier/ so that the worker's scope may be the page.
const (
	VerifyOffline Path = "/verifier/hors-ligne"
	VerifyWorker  Path = "/verifier/hors-ligne-sw.js"
)

// The applicant's pages.
const (
	Dashboard          Path  = "/tableau-de-bord"
	Profile            Path  = "/profil"
	Contact            Path  = "/profil/coordonnees"
	ContactCancelEmail Path  = "/profil/coordonnees/courriel/annuler"
	Correction         Path  = "/profil/correction"
	CorrectionEvidence ID    = "/profil/corrections/{correction}/piece"
	CorrectionWithdraw ID    = "/profil/corrections/{correction}/retirer"
	NewApplication     Path  = "/demandes/nouvelle"
	Application        ID    = "/demandes/{id}"
	Upload             IDAnd = "/demandes/{id}/documents/{slot}"
	RemoveDocument     IDAnd = "/demandes/{id}/documents/{slot}/retirer"
	ReuseDocuments     IDAnd = "/demandes/{id}/documents/{slot}/reprendre"
	Download           IDAnd = "/demandes/{id}/fichiers/{doc}"
	FeeStamp           ID    = "/demandes/{id}/timbre"
	CaseCollection     ID    = "/demandes/{id}/retrait-carte"
	File               ID    = "/demandes/{id}/deposer"
	Receipt            ID    = "/demandes/{id}/recepisse"
	ReceiptPDF         ID    = "/demandes/{id}/recepisse.pdf"
	ReceiptQR          ID    = "/demandes/{id}/recepisse/qr.png"
	Attestation        IDAnd = "/demandes/{id}/attestations/{att}"
	AttestationText    IDAnd = "/demandes/{id}/attestations/{att}/texte"
	Messages           ID    = "/demandes/{id}/messages"
	Resubmit           ID    = "/demandes/{id}/completer"
	Withdraw           ID    = "/demandes/{id}/retrait"
	Accesses           Path  = "/consultations"
	MyData             Path  = "/mes-donnees"
	MyDataArchive      Path  = "/mes-donnees/sejour-donnees.zip"
	MyReports          Path  = "/mes-signalements"
	MyReport           ID    = "/mes-signalements/{id}"
	MyReportShot       ID    = "/mes-signalements/{id}/capture"
	Claim              Path  = "/reprendre"
	// AttemptPDF renders the attestation of an attempted filing from its
	// signed code (posted), with or without the database.
	AttemptPDF Path = "/tentative-de-depot.pdf"
)

// The back office's pages.
const (
	Agent             Path  = "/agent"
	Case              ID    = "/agent/demandes/{id}"
	CaseUndo          ID    = "/agent/demandes/{id}/annulation"
	CaseCard          ID    = "/agent/demandes/{id}/carte"
	CaseClose         ID    = "/agent/demandes/{id}/cloture"
	CaseComplete      ID    = "/agent/demandes/{id}/complet"
	CaseRefuse        ID    = "/agent/demandes/{id}/decision/defavorable"
	CaseGrant         ID    = "/agent/demandes/{id}/decision/favorable"
	CaseDownload      IDAnd = "/agent/demandes/{id}/fichiers/{doc}"
	CasePreview       IDAnd = "/agent/demandes/{id}/fichiers/{doc}/apercu"
	CaseReview        IDAnd = "/agent/demandes/{id}/fichiers/{doc}/avis"
	CaseIdentity      ID    = "/agent/demandes/{id}/identite"
	CaseStartReview   ID    = "/agent/demandes/{id}/instruction"
	CaseMessages      ID    = "/agent/demandes/{id}/messages"
	CaseAskDocuments  ID    = "/agent/demandes/{id}/pieces"
	CaseHandOver      ID    = "/agent/demandes/{id}/remise"
	CaseReopen        ID    = "/agent/demandes/{id}/reouverture"
	QueueExport       Path  = "/agent/export.csv"
	Corrections       Path  = "/agent/corrections"
	CorrectionReview  ID    = "/agent/corrections/{correction}"
	CorrectionAccept  ID    = "/agent/corrections/{correction}/accepter"
	CorrectionRefuse  ID    = "/agent/corrections/{correction}/refuser"
	CorrectionFile    ID    = "/agent/corrections/{correction}/piece"
	Counter           Path  = "/agent/guichet"
	CounterNewPerson  Path  = "/agent/guichet/personnes/nouvelle"
	CounterPerson     ID    = "/agent/guichet/personnes/{person}"
	CounterClaimCode  ID    = "/agent/guichet/personnes/{person}/code"
	CounterStart      ID    = "/agent/guichet/personnes/{person}/demandes"
	CounterCase       ID    = "/agent/guichet/demandes/{id}"
	CounterResubmit   ID    = "/agent/guichet/demandes/{id}/completer"
	CounterFile       ID    = "/agent/guichet/demandes/{id}/deposer"
	CounterUpload     IDAnd = "/agent/guichet/demandes/{id}/documents/{slot}"
	CounterRemove     IDAnd = "/agent/guichet/demandes/{id}/documents/{slot}/retirer"
	CounterReuse      IDAnd = "/agent/guichet/demandes/{id}/documents/{slot}/reprendre"
	CounterReceipt    ID    = "/agent/guichet/demandes/{id}/recepisse"
	CounterReceiptPDF ID    = "/agent/guichet/demandes/{id}/recepisse.pdf"
	CounterReceiptQR  ID    = "/agent/guichet/demandes/{id}/recepisse/qr.png"
	CounterFeeStamp   ID    = "/agent/guichet/demandes/{id}/timbre"
	Journal           Path  = "/agent/journal"
	Transfers         Path  = "/agent/transferts"
	SecondFactor      Path  = "/agent/double-authentification"
	SecondFactorQR    Path  = "/agent/double-authentification/qr.png"
	SecondFactorEnrol Path  = "/agent/double-authentification/enrolement"
	StaffAccounts     Path  = "/admin/agents"
	StaffDisable      ID    = "/admin/agents/{account}/desactivation"
	StaffEnable       ID    = "/admin/agents/{account}/reactivation"
	Support           Path  = "/support"
	Incidents         Path  = "/support/incidents"
	SupportReport     ID    = "/support/signalements/{id}"
	SupportAssign     ID    = "/support/signalements/{id}/attribution"
	SupportShot       ID    = "/support/signalements/{id}/capture"
	SupportReopen     ID    = "/support/signalements/{id}/reouverture"
	SupportAnswer     ID    = "/support/signalements/{id}/reponse"
	SupportResolve    ID    = "/support/signalements/{id}/resolution"
	SupportTriage     ID    = "/support/signalements/{id}/tri"
)

// The pages of honest degraded modes and of the portal's status (issue 12):
// the paper form offered by the outage page, the admin's read-only switch,
// the public status page with its feed and JSON, and the administrators' outages.
const (
	PaperForm    Path = "/formulaire-papier.pdf"
	ReadOnly     Path = "/admin/lecture-seule"
	Status       Path = "/etat"
	StatusFeed   Path = "/etat.atom"
	APIStatus    Path = "/api/v1/status"
	AdminOutages Path = "/admin/pannes"
	AdminOutage  ID   = "/admin/pannes/{outage}"
)

// The public statistics on processing times (issue 16, part 4): the
// page, its open data as CSV and JSON, and the data's JSON Schema.
const (
	Statistics       Path = "/statistiques"
	StatisticsCSV    Path = "/statistiques.csv"
	StatisticsJSON   Path = "/statistiques.json"
	StatisticsSchema Path = "/statistiques/schema.json"
)

// The share codes a person gives an employer (issue 14), on the
// applicant's side.
const (
	Share       Path = "/partage"
	ShareRevoke ID   = "/partage/{id}/revoquer"
)

// The employers' pages and API (issue 14): sign-up, the check and its
// history with the signed records, and, for the organisation's admins,
// the members and the API keys.
const (
	EmployerSignUp    Path = "/employeur/inscription"
	EmployerHome      Path = "/employeur"
	EmployerCheck     Path = "/employeur/verifier"
	EmployerHistory   Path = "/employeur/historique"
	EmployerRecord    ID   = "/employeur/historique/{id}/releve.pdf"
	EmployerMembers   Path = "/employeur/membres"
	EmployerKeys      Path = "/employeur/cles"
	EmployerKeyRevoke ID   = "/employeur/cles/{id}/revoquer"
	APIWorkChecks     Path = "/api/v1/work-checks"
	APIWorkCheck      ID   = "/api/v1/work-checks/{id}/record.pdf"
)

// The pre-hire declarations (issue 14, part 4): the employer's list, form
// and detail with the signed record, the API, and the prefecture's queue
// of referred declarations with the answer.
const (
	EmployerDeclarations      Path = "/employeur/declarations"
	EmployerDeclaration       ID   = "/employeur/declarations/{id}"
	EmployerDeclarationRecord ID   = "/employeur/declarations/{id}/releve.pdf"
	APIDeclarations           Path = "/api/v1/declarations"
	APIDeclaration            ID   = "/api/v1/declarations/{id}"
	APIDeclarationRecord      ID   = "/api/v1/declarations/{id}/record.pdf"
	AgentDeclarations         Path = "/agent/declarations"
	AgentDeclaration          ID   = "/agent/declarations/{id}"
	AgentDeclarationAnswer    ID   = "/agent/declarations/{id}/reponse"
)

// Follow-ups (issue 14, part 5): the employer asks after a check, the
// person answers and ends them on /partage, the employer lists and ends
// them, fetches the current signed proof, and registers its webhook.
const (
	FollowUpAsk       ID   = "/employeur/historique/{id}/suivre"
	FollowUps         Path = "/employeur/suivis"
	FollowUpEnd       ID   = "/employeur/suivis/{id}/arreter"
	FollowUpProof     ID   = "/employeur/suivis/{id}/preuve.pdf"
	EmployerWebhook   Path = "/employeur/webhook"
	WebhookRotate     Path = "/employeur/webhook/renouveler"
	WebhookRemove     Path = "/employeur/webhook/supprimer"
	APIFollowUpProof  ID   = "/api/v1/follow-ups/{id}/proof"
	FollowUpAccept    ID   = "/partage/suivis/{id}/accepter"
	FollowUpDecline   ID   = "/partage/suivis/{id}/refuser"
	FollowUpWorkerEnd ID   = "/partage/suivis/{id}/arreter"
)

// Counter appointments (issue 18): booking by anyone, the booking's own
// page by its signed token, and the prefecture's agenda for its staff
// ({id}: the prefecture, or the booking of an absence).
const (
	Appointments       Path  = "/rendez-vous"
	AppointmentManage  Token = "/rendez-vous/gerer/{token}"
	AppointmentCancel  Token = "/rendez-vous/gerer/{token}/annuler"
	AppointmentMove    Token = "/rendez-vous/gerer/{token}/deplacer"
	StaffAppointments  Path  = "/agent/rendez-vous"
	StaffAgenda        ID    = "/agent/rendez-vous/{id}"
	StaffAgendaSession ID    = "/agent/rendez-vous/{id}/session"
	StaffAgendaClosure ID    = "/agent/rendez-vous/{id}/fermeture"
	StaffAgendaNoShow  ID    = "/agent/absences/{id}"
	// The counter reads a booking's code (StaffArrival) and shows the
	// booking ({id}) with the way to start the filing.
	StaffArrival        Path = "/agent/rendez-vous/accueil"
	StaffArrivalBooking ID   = "/agent/rendez-vous/accueil/{id}"
)

// Reminders of a person's legal dates and their private calendar feed
// (issue 16, part 3): the applicant's settings under the dashboard, the
// feed's token made again or revoked there, and the feed itself, read by
// anyone holding its token ("/calendrier/<token>.ics": the mux's
// wildcard is the whole segment, so the handler strips ".ics").
const (
	Reminders          Path  = "/tableau-de-bord/rappels"
	ReminderFeed       Path  = "/tableau-de-bord/rappels/calendrier"
	ReminderFeedRevoke Path  = "/tableau-de-bord/rappels/calendrier/revoquer"
	Calendar           Token = "/calendrier/{token}"
)
