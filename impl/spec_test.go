package impl

import (
	"testing"

	ninjagold "github.com/ninjagold/ninjagold-api"
)

// TestNewReadsTheCallersSpec: a Server works out each path's methods from
// the contract its caller parsed, not one it parsed again, as it was when
// given (a Server keeps none of it), and still serves the contract as
// JSON.
func TestNewReadsTheCallersSpec(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	doc.Paths.Value("/healthz").Head = nil // the caller's document, changed
	s := New(nil, nil, nil, doc)
	doc.Paths.Value("/healthz").Options = nil // changed again, after New
	if allow, err := s.allowed("/healthz"); err != nil || allow != "GET, OPTIONS" {
		t.Errorf("allowed(/healthz) = %q, %v; want the caller's GET, OPTIONS", allow, err)
	}
	if _, err := s.allowed("/nowhere"); err == nil {
		t.Error("allowed(/nowhere) gave no error; a path the contract lacks is a server bug")
	}
	if s.specJSON != nil {
		t.Error("New converted the contract to JSON; only GET /openapi.json needs that")
	}
	if js, err := s.specAsJSON(); err != nil || len(js) == 0 || js[0] != '{' {
		t.Errorf("specAsJSON() = %.20q, %v; want the contract as JSON", js, err)
	}
}

// TestDefaultLimitIsTheContracts: the validator leaves a request's defaults
// unset (SkipSettingDefaults), so the handlers' page size is the default
// clients get, and it must be the one every list's limit declares.
func TestDefaultLimitIsTheContracts(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	lists := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range op.Parameters {
				if p.Value == nil || p.Value.Name != "limit" || p.Value.In != "query" {
					continue
				}
				lists++
				if d, ok := p.Value.Schema.Value.Default.(float64); !ok || d != defaultLimit {
					t.Errorf("%s %s: limit's default %v, the handlers' %d", method, path, p.Value.Schema.Value.Default, defaultLimit)
				}
			}
		}
	}
	if lists < 3 {
		t.Errorf("%d operations take a limit; want the three lists at least", lists)
	}
}
