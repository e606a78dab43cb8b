//go:build race

package simulate

// raceDetector is set when the tests run with -race, ten times slower:
// the runs are made smaller.
const raceDetector = true
