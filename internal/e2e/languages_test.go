package e2e

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/sejour/sejour/internal/i18n"
	"github.com/sejour/sejour/internal/paths"
	"github.com/sejour/sejour/internal/permit"
	"github.com/sejour/sejour/internal/rules"
)

// The languages of the applicants who read neither French nor English:
// the whole journey, from the sign-up to the filing receipt, and every
// page an applicant sees, in Arabic (right to left) and in Chinese, on a
// phone without JavaScript, each page checked by axe-core.

// sameKeyAs names, for the words whose French text is the text of several
// keys of the catalogue, the key the journey reads it under.
var sameKeyAs = map[string]string{
	"logIn":          "nav.login",
	"logInHeading":   "login.heading",
	"logInSubmit":    "login.submit",
	"signUp":         "home.cta_signup",
	"signUpHeading":  "signup.heading",
	"mySpace":        "nav.my_space",
	"startHeading":   "start.heading",
	"newApplication": "dashboard.new",
	"profileHeading": "profile.heading",
	"receiptWarning": "receipt.warning", // the journey reads its second sentence only
}

// wordsIn translates the French words of the journey into lang through
// the catalogue: each French text is found among the catalogue's French
// messages and its key read in lang. A word whose French is no message,
// or is the message of several keys none named in sameKeyAs, fails the
// test, so that the journey never looks for a word it could not know.
func wordsIn(t *testing.T, lang string, fr appWords) appWords {
	t.Helper()
	cat := i18n.MustLoad()
	// The page's text is read with its no-break spaces as spaces
	// (readPage), as the journey's words are written.
	plain := strings.NewReplacer("\u00a0", " ").Replace
	byText := map[string][]string{}
	for _, k := range cat.Keys(i18n.Default) {
		msg := plain(cat.T(i18n.Default, k))
		byText[msg] = append(byText[msg], k)
	}
	grounds := rules.MustLoad()
	out := fr
	var translate func(v reflect.Value, typ reflect.Type)
	translate = func(v reflect.Value, typ reflect.Type) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			// The fields are unexported: reach them through their address.
			field := reflect.NewAt(f.Type, unsafe.Pointer(v.Field(i).UnsafeAddr())).Elem()
			if f.Anonymous {
				translate(field, f.Type)
				continue
			}
			if f.Type.Kind() != reflect.String {
				continue
			}
			text := field.String()
			key := sameKeyAs[f.Name]
			switch keys := byText[text]; {
			case f.Name == "lang":
				field.SetString(lang)
				continue
			case f.Name == "switchLink":
				field.SetString(cat.Name(lang))
				continue
			case f.Name == "currentFile":
				field.SetString("%s") // "…: file.png": the name is enough
				continue
			case f.Name == "student" || f.Name == "employee":
				// A ground's name is the legal catalogue's text.
				id := map[string]permit.GroundID{"student": "student", "employee": "employee"}[f.Name]
				g, ok := grounds.Ground(id)
				if !ok {
					t.Fatalf("no ground %q in the catalogue", id)
				}
				field.SetString(g.Name.In(lang))
				continue
			case text == "" || key != "":
			case len(keys) == 1 || len(keys) > 1 && sameText(cat, lang, keys):
				key = keys[0]
			default:
				// A word the journey to the receipt does not read may
				// stay unknown; one it reads then fails below.
				field.SetString("\x00untranslated " + f.Name)
				continue
			}
			if key != "" {
				field.SetString(plain(cat.T(lang, key)))
			}
		}
	}
	translate(reflect.ValueOf(&out).Elem(), reflect.TypeOf(out))
	return out
}

// sameText reports whether keys read the same in lang.
func sameText(cat *i18n.Catalogue, lang string, keys []string) bool {
	for _, k := range keys[1:] {
		if cat.T(lang, k) != cat.T(lang, keys[0]) {
			return false
		}
	}
	return true
}

// mustKnow fails when a word of the journey could not be translated.
func mustKnow(t *testing.T, w appWords, names ...string) {
	t.Helper()
	v := reflect.ValueOf(w)
	var unknown []string
	for _, n := range names {
		f := v.FieldByName(n)
		if s := f.String(); strings.HasPrefix(s, "\x00") || s == "" {
			unknown = append(unknown, n)
		}
	}
	if unknown != nil {
		t.Fatalf("%s: the journey reads the words %v, which the catalogue does not give: add their keys to sameKeyAs", w.lang, unknown)
	}
}

func TestJourneyInArabicAndChinese(t *testing.T) {
	for _, lang := range []string{"ar", "zh"} {
		t.Run(lang, func(t *testing.T) {
			w := wordsIn(t, lang, frenchApp)
			mustKnow(t, w, "signUp", "signUpHeading", "signUpSubmit", "email", "password", "confirm", "sentHeading", "devMails",
				"mailsHeading", "mailSubject", "confirmHeading", "confirmed", "logIn", "logInHeading", "logInSubmit", "mySpace",
				"noApplication", "signedInAs", "logOut", "homeHeading", "profileFirst", "fillProfile", "profileHeading",
				"profileIntro", "profileSubmit", "profileSaved", "declaredHelp", "competent", "profileEmail", "newApplication",
				"startHeading", "startSubmit", "renewal", "student", "prefecture", "stepDraft", "inWindow", "draft", "progress",
				"uploaded", "currentFile", "photoSave", "photoSaved", "feeSave", "feeSaved", "fileApplication",
				"receiptHeading", "receiptWarning")
			m, base := startApp(t)
			email := fmt.Sprintf("journey-%s@exemple.fr", lang)
			seed(t, m, "seeded-"+email) // the prefecture and its staff; the applicant signs up
			opts := options{dev: phone, lang: "fr-FR", noScript: true}

			// The first visit: the language chosen in the list of the
			// header, the sign-up, its mail, the confirmation, the log-in.
			b := newBrowser(t, base, opts)
			journey(t, b, w.words, email)

			// The next visit: the profile, a renewal, its documents, the
			// fee stamp, the filing and its receipt.
			j := &applicantJourney{t: t, w: w, email: email, files: t.TempDir(), today: civil(time.Now()), base: base, opts: opts}
			j.arrive("applicant")
			j.logIn(email)
			j.check(j.step("dashboard-no-profile"), expected{lang: lang, dir: dirOf(lang), heading: w.mySpace, texts: []string{w.profileFirst}})
			j.fillProfile()
			window := fmt.Sprintf(w.inWindow, inWords(lang, j.today.AddDate(0, 0, 90-60)))
			id := j.startApplication(w.renewal, "renewal", w.student, "student", window)
			j.completeAndFile(id, w.renewal, w.student)

			// Every page an applicant reaches from there, read by axe.
			j.everyApplicantPage(id)
		})
	}
}

// keyInBrackets is how a page shows a key the catalogue lacks.
var keyInBrackets = regexp.MustCompile(`\[[a-z_]+(\.[a-z0-9_]+)+\]`)

// dirOf is the direction a page in lang must declare.
func dirOf(lang string) string {
	if lang == "ar" {
		return "rtl"
	}
	return "ltr"
}

// everyApplicantPage opens each page an applicant can reach with an
// application filed, in the journey's language, and checks each: its
// language and direction, one heading, no sideways scrolling at 360 px,
// no key shown untranslated, and axe-core.
func (j *applicantJourney) everyApplicantPage(id int64) {
	t, b, w := j.t, j.b, j.w
	for _, path := range []string{
		"/", paths.Dashboard.String(), paths.Profile.String(), paths.Contact.String(), paths.Correction.String(),
		paths.NewApplication.String(), paths.Application.Format(id), paths.Receipt.Format(id),
		paths.Withdraw.Format(id), paths.Accesses.String(), paths.MyData.String(), paths.MyReports.String(),
		paths.Claim.String(), paths.Share.String(), paths.Report.String(), paths.Follow.String(), paths.Verify.String(),
		paths.Status.String(), paths.Appointments.String(), paths.EmployerSignUp.String(),
	} {
		wantStatus(t, "open "+path, b.open(path), http.StatusOK)
		st := j.check(j.step("page"+strings.ReplaceAll(path, "/", "-")), expected{lang: w.lang, dir: dirOf(w.lang)})
		if path == paths.Receipt.Format(id) && !strings.Contains(st.Text, i18n.MustLoad().T(w.lang, "pdf.languages")) {
			t.Errorf("the receipt in %s does not say its PDF is in French and English", w.lang)
		}
		if keyInBrackets.MatchString(st.Text) {
			t.Errorf("%s in %s shows a key untranslated: %q", path, w.lang, keyInBrackets.FindString(st.Text))
		}
	}
}
