package ninjagold

import "testing"

// TestSpecIsValid validates the embedded contract as kin-openapi reads it,
// which Spec leaves to this test (see Spec).
func TestSpecIsValid(t *testing.T) {
	doc, err := Spec()
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(t.Context()); err != nil {
		t.Fatalf("openapi.yaml is not a valid OpenAPI document: %v", err)
	}
}

// BenchmarkSpec is the parse every start pays before it can answer
// (BENCHMARKS.md, "Forty-third session").
func BenchmarkSpec(b *testing.B) {
	for b.Loop() {
		if _, err := Spec(); err != nil {
			b.Fatal(err)
		}
	}
}
