package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	ninjagold "github.com/ninjagold/ninjagold-api"
)

// TestCORSListsCoverTheContract: a page on an allowed origin may send every
// request header the contract declares, and its script may read every
// response header the contract declares for it. corsAllowHeaders and
// corsExposeHeaders are written out by hand; a header added to openapi.yaml
// and not to them would be refused by the browser's preflight, or hidden
// from the script, with nothing on the server side to tell.
func TestCORSListsCoverTheContract(t *testing.T) {
	doc, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	allowed := headerSet(corsAllowHeaders)
	exposed := headerSet(corsExposeHeaders)

	// Sent by the browser for the script: Authorization for both bearer
	// schemes, and a Content-Type such as application/json, which is no
	// CORS-safelisted request header.
	sent := map[string]bool{"Authorization": true, "Content-Type": true}
	for name, s := range doc.Components.SecuritySchemes {
		if s.Value.Type != "http" || s.Value.Scheme != "bearer" {
			t.Errorf("security scheme %s is %s %s: the lists know bearer tokens only", name, s.Value.Type, s.Value.Scheme)
		}
	}
	read := map[string]bool{}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				if p.Value.In == openapi3.ParameterInHeader {
					sent[http.CanonicalHeaderKey(p.Value.Name)] = true
				}
			}
			for _, r := range op.Responses.Map() {
				for name := range r.Value.Headers {
					read[http.CanonicalHeaderKey(name)] = true
				}
			}
		}
	}
	if len(sent) < 5 || len(read) < 10 {
		t.Fatalf("found %d request and %d response headers; the contract declares more", len(sent), len(read))
	}
	for name := range sent {
		if !allowed[name] {
			t.Errorf("request header %s is declared and not in corsAllowHeaders", name)
		}
	}
	for name := range read {
		switch {
		case strings.HasPrefix(name, "Access-Control-"), name == "Vary":
			// The CORS answer itself, read by the browser.
		case name == "Cache-Control":
			// CORS-safelisted: every script reads it.
		case name == "Content-Security-Policy", name == "Referrer-Policy", name == "X-Content-Type-Options":
			// Rules for the browser showing the docs, not data for a script.
		case !exposed[name]:
			t.Errorf("response header %s is declared and not in corsExposeHeaders", name)
		}
	}
}

// headerSet is the canonical names in a comma-separated header list.
func headerSet(list string) map[string]bool {
	set := map[string]bool{}
	for name := range strings.SplitSeq(list, ",") {
		set[http.CanonicalHeaderKey(strings.TrimSpace(name))] = true
	}
	return set
}
