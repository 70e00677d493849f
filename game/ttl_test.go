package game

import (
	"testing"
	"time"
)

// storetest holds each store to IdempotencyKeyTTL; this holds the TTL to
// the contract (createVisit: "Keys are kept for at least 24 hours").
func TestIdempotencyKeyTTLKeepsTheContract(t *testing.T) {
	if IdempotencyKeyTTL < 24*time.Hour {
		t.Errorf("IdempotencyKeyTTL is %v: the contract keeps keys at least 24 hours", IdempotencyKeyTTL)
	}
}
