package impl

import (
	"testing"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/generated"
)

// TestUseSpec: a Server given the contract its caller parsed serves that
// document, not one it parsed again.
func TestUseSpec(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	doc.Info.Title = "the caller's document"
	s, err := New(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.UseSpec(doc)
	resp, err := s.GetOpenAPIJSON(t.Context(), generated.GetOpenAPIJSONRequestObject{})
	if err != nil {
		t.Fatal(err)
	}
	body := resp.(generated.GetOpenAPIJSON200JSONResponse).Body
	if title := body["info"].(map[string]any)["title"]; title != doc.Info.Title {
		t.Errorf("/openapi.json has title %q, want %q", title, doc.Info.Title)
	}
}
