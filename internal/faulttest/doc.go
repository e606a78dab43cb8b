// Package faulttest holds the fault tests of the whole program: they build
// the real binary, run it as a child process on the loopback, and kill it
// with SIGKILL in the middle of real work, then check on the database that
// nothing acknowledged was lost and nothing was done twice (issue 11). It
// has no code of its own; the tests are in its _test.go files.
package faulttest
