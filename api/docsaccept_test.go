package api_test

import (
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// A /docs asset has one media type, so Accept is negotiated against that
// type, not against every type the operation declares (the contract's
// x-accept-per-resource): a file Accept does not allow is a 406 naming the
// type that would do, as for any other operation with the same problem,
// the same headers and the same answer to HEAD.
func TestDocsAssetAccept(t *testing.T) {
	const (
		png     = "/docs/favicon-32x32.png"
		license = "/docs/LICENSE"
		unknown = "/docs/nothing-here.png"
	)
	pngFile, err := os.ReadFile("../swaggerui/dist/favicon-32x32.png")
	if err != nil {
		t.Fatal(err)
	}
	licenseFile, err := os.ReadFile("../swaggerui/dist/LICENSE")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		accept     string // "": none sent
		wantStatus int
		wantType   string // Content-Type
		wantBody   []byte // of a 200
		wantErrors map[string]string
	}{
		// The two reports: a type the operation has, but not this file's.
		{"CSS asked of a PNG", png, "text/css", 406, "application/problem+json", nil,
			map[string]string{"Accept": "Accept must allow image/png"}},
		{"PNG asked of the licence", license, "image/png", 406, "application/problem+json", nil,
			map[string]string{"Accept": "Accept must allow text/plain"}},
		// A type the operation does not have at all: the file's type is
		// still the one to ask for (the operation's whole list would name
		// three that are 406 too).
		{"CSV asked of a PNG", png, "text/csv", 406, "application/problem+json", nil,
			map[string]string{"Accept": "Accept must allow image/png"}},
		{"HTML asked of the licence", license, "text/html", 406, "application/problem+json", nil,
			map[string]string{"Accept": "Accept must allow text/plain"}},

		{"no Accept", png, "", 200, "image/png", pngFile, nil},
		{"the PNG's own type", png, "image/png", 200, "image/png", pngFile, nil},
		{"any image", png, "image/*", 200, "image/png", pngFile, nil},
		{"anything", png, "*/*", 200, "image/png", pngFile, nil},
		{"the PNG after a type it is not", png, "text/css, image/png;q=0.1", 200, "image/png", pngFile, nil},
		{"plain text at a low q", license, "text/plain;q=0.5", 200, "text/plain", licenseFile, nil},
		{"any text", license, "text/*", 200, "text/plain", licenseFile, nil},
		{"plain text in UTF-8", license, "text/plain; charset=utf-8", 200, "text/plain", licenseFile, nil},

		// Parameters match as they do for every operation: the licence is
		// UTF-8.
		{"plain text in Latin-1", license, "text/plain; charset=iso-8859-1", 406, "application/problem+json", nil,
			map[string]string{"Accept": "Accept must allow text/plain"}},
		{"plain text in Latin-1, or a PNG", license, "text/plain; charset=iso-8859-1, image/png", 406, "application/problem+json", nil,
			map[string]string{"Accept": "Accept must allow text/plain"}},
		{"the PNG at q=0", png, "image/png;q=0, */*", 406, "application/problem+json", nil,
			map[string]string{"Accept": "Accept must allow image/png"}},
		{"any image at q=0", png, "image/*;q=0, text/css", 406, "application/problem+json", nil,
			map[string]string{"Accept": "Accept must allow image/png"}},
		{"plain text at q=0", license, "text/plain;q=0, text/*", 406, "application/problem+json", nil,
			map[string]string{"Accept": "Accept must allow text/plain"}},

		// An unknown file is a 404 whatever Accept says of its name.
		{"an unknown file", unknown, "", 404, "application/problem+json", nil, map[string]string{}},
		{"an unknown file, its type acceptable", unknown, "image/png", 404, "application/problem+json", nil, map[string]string{}},
		{"an unknown file, another type acceptable", unknown, "text/css", 404, "application/problem+json", nil, map[string]string{}},
		{"an unknown file, no type of the operation's acceptable", unknown, "text/csv", 404, "application/problem+json", nil, map[string]string{}},
	}
	s := apitest.NewServer(t, apitest.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var header map[string]string
			if tt.accept != "" {
				header = map[string]string{"Accept": tt.accept}
			}
			get := s.Do(t, apitest.Request{Method: "GET", Path: tt.path, Header: header})
			head := s.Do(t, apitest.Request{Method: "HEAD", Path: tt.path, Header: header})
			for _, r := range []struct {
				method string
				resp   *apitest.Response
			}{{"GET", get}, {"HEAD", head}} {
				if r.resp.Status != tt.wantStatus || r.resp.Header.Get("Content-Type") != tt.wantType {
					t.Errorf("%s %s, Accept %q = %d %q, want %d %q; body %s", r.method, tt.path, tt.accept,
						r.resp.Status, r.resp.Header.Get("Content-Type"), tt.wantStatus, tt.wantType, r.resp.Body)
				}
				// Every answer varies with Accept: the operation has four types.
				// Accept-Encoding, too: some files may come compressed.
				if vary := varyNames(r.resp.Header); !slices.Contains(vary, "Accept") || !slices.Contains(vary, "Accept-Encoding") {
					t.Errorf("%s: Vary %q, want Accept and Accept-Encoding among them", r.method, vary)
				}
				if r.resp.Header.Get("X-Request-ID") == "" {
					t.Errorf("%s: no X-Request-ID", r.method)
				}
			}
			sameButBody(t, get, head)
			if tt.wantStatus == http.StatusOK {
				if string(get.Body) != string(tt.wantBody) {
					t.Errorf("GET body: %d bytes, want the file's %d", len(get.Body), len(tt.wantBody))
				}
				if cc := get.Header.Get("Cache-Control"); cc == "" {
					t.Error("GET: no Cache-Control")
				}
				return
			}
			p := get.Problem(t)
			wantProblem := "/problems/not-acceptable"
			if tt.wantStatus == http.StatusNotFound {
				wantProblem = "/problems/not-found"
			}
			if string(p.Type) != wantProblem || int(p.Status) != tt.wantStatus {
				t.Errorf("problem type, status = %s, %d; want %s, %d", p.Type, p.Status, wantProblem, tt.wantStatus)
			}
			if !maps.Equal(p.Errors, tt.wantErrors) {
				t.Errorf("errors = %v, want %v", p.Errors, tt.wantErrors)
			}
			if p.Instance == nil || !strings.HasPrefix(*p.Instance, tt.path+"#") {
				t.Errorf("instance = %v, want %s#<request id>", p.Instance, tt.path)
			}
			if p.Detail == "" {
				t.Error("problem without a detail")
			}
		})
	}
}
