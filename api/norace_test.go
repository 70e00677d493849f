//go:build !race

package api

// RaceDetector: see race_test.go.
const RaceDetector = false
