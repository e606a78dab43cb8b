// Package faulttest holds the fault tests of the whole program: they build
// the real binary, run it as a child process on the loopback, and kill it
// with SIGKILL in the middle of real work, then check on the database that
// nothing acknowledged was lost and nothing was done twice (issue 11).
// Others cut, freeze or fill what the server depends on — PostgreSQL and
// the mail relay behind a TCP proxy, the disk as a small file system —
// and check the 503s, /readyz, the recovery without restart and the
// incidents of the outage (issue 12). It has no code of its own; the
// tests are in its _test.go files.
package faulttest
