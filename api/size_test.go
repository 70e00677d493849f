package api

// FullSize is n requests per operation for a generated test, or a third
// of them under the race detector: on a slow VM the contract fuzz and the
// quick check's differential test at full size took over ten minutes with
// it, past go test's timeout (make test-go runs both at full size without
// it as well).
func FullSize(n int) int {
	if RaceDetector {
		return max(1, n/3)
	}
	return n
}
