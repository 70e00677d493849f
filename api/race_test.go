//go:build race

package api

// RaceDetector says the tests run with the race detector (see FullSize).
const RaceDetector = true
