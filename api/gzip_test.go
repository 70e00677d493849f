package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// A /docs file that compresses well, and the contract (/openapi.json,
// /openapi.yaml), come gzip-compressed to a request whose Accept-Encoding
// asks for gzip, as a browser's does, and as they are to any other; each
// answer says it varies with Accept-Encoding.
func TestGzip(t *testing.T) {
	const bundle = "/docs/swagger-ui-bundle.js"
	tests := []struct {
		name, path string
		lines      []string // Accept-Encoding, one line each; nil: none sent
		wantGzip   bool
	}{
		{"a browser's Accept-Encoding", bundle, []string{"gzip, deflate, br, zstd"}, true},
		{"no Accept-Encoding", bundle, nil, false},
		{"an empty Accept-Encoding", bundle, []string{""}, false},
		{"identity only", bundle, []string{"identity"}, false},
		{"gzip refused", bundle, []string{"gzip;q=0, identity"}, false},
		{"gzip refused, anything else allowed", bundle, []string{"*, gzip;q=0"}, false},
		{"any coding", bundle, []string{"*"}, true},
		{"x-gzip", bundle, []string{"x-gzip"}, true},
		{"gzip on a second line", bundle, []string{"br", "gzip"}, true},
		{"codings the server does not have", bundle, []string{"br, zstd"}, false},
		{"the styles", "/docs/swagger-ui.css", []string{"gzip"}, true},
		{"the licence", "/docs/LICENSE", []string{"gzip"}, true},
		{"the page's own script", "/docs/initializer.js", []string{"gzip"}, true},
		// PNG is compressed already; a file under 1 KiB is not worth it.
		{"an icon", "/docs/favicon-32x32.png", []string{"gzip"}, false},
		{"a small file", "/docs/index.css", []string{"gzip"}, false},
		{"the contract as JSON", "/openapi.json", []string{"gzip"}, true},
		{"the contract as JSON, not asked for", "/openapi.json", nil, false},
		{"the contract as YAML", "/openapi.yaml", []string{"gzip, br"}, true},
		{"the contract as YAML, gzip refused", "/openapi.yaml", []string{"gzip;q=0"}, false},
	}
	s := apitest.NewServer(t, apitest.Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := servedAsItIs(t, s, tt.path)
			var lines map[string][]string
			if tt.lines != nil {
				lines = map[string][]string{"Accept-Encoding": tt.lines}
			}
			get := s.Do(t, apitest.Request{Method: "GET", Path: tt.path, Lines: lines})
			head := s.Do(t, apitest.Request{Method: "HEAD", Path: tt.path, Lines: lines})
			if get.Status != http.StatusOK {
				t.Fatalf("GET %s = %d; body %s", tt.path, get.Status, get.Body)
			}
			sameButBody(t, get, head)
			for _, r := range []*apitest.Response{get, head} {
				if vary := varyNames(r.Header); !slices.Contains(vary, "Accept-Encoding") {
					t.Errorf("Vary %q, want Accept-Encoding among them", vary)
				}
			}
			body := get.Body
			if coding := get.Header.Get("Content-Encoding"); tt.wantGzip != (coding == "gzip") || !tt.wantGzip && coding != "" {
				t.Fatalf("Content-Encoding %q, want gzip %v", coding, tt.wantGzip)
			}
			// Every file is sent with its length, compressed or not, the
			// licence (text) too: not chunked. (sameButBody holds HEAD's
			// Content-Length to the GET's.)
			if cl := get.Header.Get("Content-Length"); cl != strconv.Itoa(len(get.Body)) {
				t.Errorf("Content-Length %q, body %d bytes", cl, len(get.Body))
			}
			if tt.wantGzip {
				if len(get.Body) >= len(file) {
					t.Errorf("compressed: %d bytes, the file %d", len(get.Body), len(file))
				}
				zr, err := gzip.NewReader(bytes.NewReader(get.Body))
				if err != nil {
					t.Fatalf("not gzip: %v", err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatalf("gzip cut short: %v", err)
				}
			}
			if !bytes.Equal(body, file) {
				t.Errorf("the body holds %d bytes, want the file's %d", len(body), len(file))
			}
		})
	}
}

// The compressed file and the file as it is are two representations, each
// with its own ETag: a validator of one is no validator of the other.
func TestGzipETags(t *testing.T) {
	for _, path := range []string{"/docs/swagger-ui-bundle.js", "/openapi.json", "/openapi.yaml"} {
		t.Run(path, func(t *testing.T) { testGzipETags(t, path) })
	}
}

func testGzipETags(t *testing.T, path string) {
	s := apitest.NewServer(t, apitest.Options{})
	get := func(acceptEncoding string, header map[string]string) *apitest.Response {
		h := map[string]string{"Accept-Encoding": acceptEncoding}
		for k, v := range header {
			h[k] = v
		}
		return s.Do(t, apitest.Request{Method: "GET", Path: path, Header: h})
	}
	plainTag := get("identity", nil).Header.Get("ETag")
	gzipTag := get("gzip", nil).Header.Get("ETag")
	if plainTag == "" || gzipTag == "" || plainTag == gzipTag {
		t.Fatalf("ETags: %q as it is, %q gzip; want two different ones", plainTag, gzipTag)
	}
	if again := get("gzip", nil).Header.Get("ETag"); again != gzipTag {
		t.Errorf("the gzip ETag changed from %q to %q", gzipTag, again)
	}
	tests := []struct {
		name           string
		acceptEncoding string
		header         map[string]string
		wantStatus     int
		wantETag       string
	}{
		{"the gzip tag, gzip asked for", "gzip", map[string]string{"If-None-Match": gzipTag}, 304, gzipTag},
		{"the gzip tag, gzip not asked for", "identity", map[string]string{"If-None-Match": gzipTag}, 200, plainTag},
		{"the plain tag, gzip asked for", "gzip", map[string]string{"If-None-Match": plainTag}, 200, gzipTag},
		{"the plain tag, not asked for", "identity", map[string]string{"If-None-Match": plainTag}, 304, plainTag},
		{"If-Match of the plain tag, gzip asked for", "gzip", map[string]string{"If-Match": plainTag}, 412, gzipTag},
		{"If-Match of the gzip tag, gzip asked for", "gzip", map[string]string{"If-Match": gzipTag}, 200, gzipTag},
		{"If-Match of the weak gzip tag", "gzip", map[string]string{"If-Match": "W/" + gzipTag}, 412, gzipTag},
		{"the weak gzip tag, gzip asked for", "gzip", map[string]string{"If-None-Match": "W/" + gzipTag}, 304, gzipTag},
		{"either tag, gzip asked for", "gzip", map[string]string{"If-None-Match": plainTag + ", " + gzipTag}, 304, gzipTag},
		{"either tag, not asked for", "identity", map[string]string{"If-None-Match": plainTag + ", " + gzipTag}, 304, plainTag},
	}
	for _, tt := range tests {
		resp := get(tt.acceptEncoding, tt.header)
		if resp.Status != tt.wantStatus || resp.Header.Get("ETag") != tt.wantETag {
			t.Errorf("%s: %d, ETag %q; want %d, %q", tt.name, resp.Status, resp.Header.Get("ETag"), tt.wantStatus, tt.wantETag)
		}
		if resp.Status == http.StatusNotModified && resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: a 304 with Content-Encoding %q", tt.name, resp.Header.Get("Content-Encoding"))
		}
	}
}

// servedAsItIs is what path serves without a content coding: the
// repository's file for a /docs file, else the answer to a GET that does
// not ask for one.
func servedAsItIs(t *testing.T, s *apitest.Server, path string) []byte {
	t.Helper()
	if name, ok := strings.CutPrefix(path, "/docs/"); ok {
		file := "../swaggerui/dist/" + name
		if name == "initializer.js" {
			file = "../swaggerui/" + name
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	resp := s.Do(t, apitest.Request{Method: "GET", Path: path})
	if resp.Status != http.StatusOK || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("GET %s = %d, Content-Encoding %q", path, resp.Status, resp.Header.Get("Content-Encoding"))
	}
	return resp.Body
}

// Whatever the answer of an operation that may answer compressed, from the
// choice of representation on (not a 429 or 431, which refuse the request
// before it), it says it varies with Accept-Encoding: the 304 a cache keeps
// and the 406 and 412 too, to GET and HEAD.
func TestGzipVary(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	tests := []struct {
		name       string
		header     map[string]string
		wantStatus int
	}{
		{"compressed", map[string]string{"Accept-Encoding": "gzip"}, 200},
		{"as it is", nil, 200},
		{"not modified", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": "*"}, 304},
		{"a precondition failed", map[string]string{"Accept-Encoding": "gzip", "If-Match": `"no-such-tag"`}, 412},
		{"not acceptable", map[string]string{"Accept-Encoding": "gzip", "Accept": "image/gif"}, 406},
	}
	for _, path := range []string{"/docs/swagger-ui.css", "/openapi.json", "/openapi.yaml", "/docs/no-such-file.css"} {
		for _, tt := range tests {
			want := tt.wantStatus
			if strings.HasPrefix(path, "/docs/no-such") {
				want = http.StatusNotFound // an unknown file is a 404 first
			}
			for _, method := range []string{"GET", "HEAD"} {
				resp := s.Do(t, apitest.Request{Method: method, Path: path, Header: tt.header})
				if resp.Status != want {
					t.Errorf("%s %s, %s: %d, want %d", method, path, tt.name, resp.Status, want)
				}
				if vary := varyNames(resp.Header); !slices.Contains(vary, "Accept-Encoding") {
					t.Errorf("%s %s, %s: Vary %q, want Accept-Encoding among them", method, path, tt.name, vary)
				}
			}
		}
	}
}
