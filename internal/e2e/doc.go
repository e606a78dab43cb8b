// Package e2e drives the real sejour program in a real browser: Debian's
// chromium, through chromedp. Its tests walk the journeys a person makes
// (sign up, confirm the address from the mail, log in, log out), in French
// and in English, on a desktop screen and on a 360-pixel phone, once with
// JavaScript turned off, and run axe-core on every page they visit: the
// portal promises WCAG 2.1 AA (RGAA), and these tests hold it to that.
//
// The package has no code besides its tests. They skip when chromium is
// missing, except in CI (CI=true) or with SEJOUR_REQUIRE_BROWSER=1, where a
// missing browser is a failure. SEJOUR_CHROMIUM names another browser
// binary; SEJOUR_SCREENSHOTS names a directory that receives a PNG of every
// page checked, for a person to look at.
package e2e
