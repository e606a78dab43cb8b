package i18n

import (
	"strconv"
	"time"
)

var months = map[string][12]string{
	"fr": {"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"},
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// Date writes a civil date in words, as people read it: "1er mars 2027",
// "26 novembre 2026", "26 November 2026".
func Date(lang string, t time.Time) string {
	lang = Supported(lang)
	d := strconv.Itoa(t.Day())
	if lang == "fr" && t.Day() == 1 {
		d = "1er"
	}
	return d + " " + months[lang][t.Month()-1] + " " + strconv.Itoa(t.Year())
}
