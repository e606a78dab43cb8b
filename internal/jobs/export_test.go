package jobs

// RescueAfter is exported to the external tests, which place a killed
// process's job just beyond it.
const RescueAfter = rescueAfter
