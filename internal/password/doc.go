// Package password hashes account passwords with argon2id and applies the
// password policy. It is deliberately small and free of I/O: callers hash
// with Hash, check at login with Verify (or DummyVerify when there is no
// account, so that timing reveals nothing), and check a new password with
// Check before hashing it.
//
// Hashes are PHC strings carrying their own parameters, so DefaultParams
// can be raised without locking anyone out: Verify reports needsRehash and
// the login code stores a fresh hash.
//
// # Cost of DefaultParams
//
// Measured on 2026-11-26 with BenchmarkHash
// (go test -run '^$' -bench BenchmarkHash -benchtime 60x -count 2
// ./internal/password/), on a 2-CPU development machine (nproc: 2; model name
// "AMD EPYC"; 24 GB RAM; go1.26.10). With m=65536 (64 MiB), t=2, p=1:
//
//   - one hash alone: 98–109 ms;
//   - two logins at once, one per CPU: 119–143 ms each, about 16 hashes per
//     second in all.
//
// Each login in progress holds 64 MiB. The OWASP minimum (19 MiB, t=2)
// took 20–30 ms here, which leaves room for the stronger setting; m=64 MiB
// with t=3 reached 135 ms with two logins at once and over 500 ms with
// four. Measure again, and revise DefaultParams, when the server changes.
package password
