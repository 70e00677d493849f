package impl

import (
	"testing"

	ninjagold "github.com/ninjagold/ninjagold-api"
)

// TestUseSpec: a Server given the contract its caller parsed works out each
// path's methods from that document, not one it parsed again.
func TestUseSpec(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	doc.Paths.Value("/healthz").Head = nil // the caller's document, changed
	s, err := New(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.UseSpec(doc)
	if allow, err := s.allowed("/healthz"); err != nil || allow != "GET, OPTIONS" {
		t.Errorf("allowed(/healthz) = %q, %v; want the caller's GET, OPTIONS", allow, err)
	}
}
