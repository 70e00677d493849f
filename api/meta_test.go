package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"go.yaml.in/yaml/v3"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

func TestSpecIsServed(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	t.Run("YAML byte for byte", func(t *testing.T) {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/openapi.yaml"})
		if resp.Status != 200 || resp.Header.Get("Content-Type") != "application/yaml" {
			t.Fatalf("got %d %q", resp.Status, resp.Header.Get("Content-Type"))
		}
		if !bytes.Equal(resp.Body, ninjagold.OpenAPIYAML) {
			t.Error("served YAML differs from openapi.yaml")
		}
	})
	t.Run("JSON with every path", func(t *testing.T) {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/openapi.json"})
		var doc struct {
			OpenAPI string                    `json:"openapi"`
			Paths   map[string]map[string]any `json:"paths"`
		}
		resp.JSON(t, &doc)
		if doc.OpenAPI != "3.0.3" {
			t.Errorf("openapi = %q, want 3.0.3", doc.OpenAPI)
		}
		for _, p := range []string{"/locations", "/locations/{id}", "/players", "/players/{id}/visits"} {
			if _, ok := doc.Paths[p]; !ok {
				t.Errorf("path %s missing from /openapi.json", p)
			}
		}
	})
	t.Run("JSON says all the YAML says, defaults spelled out included", func(t *testing.T) {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/openapi.json"})
		var doc struct {
			Components struct {
				Parameters map[string]map[string]any `json:"parameters"`
				Schemas    map[string]struct {
					Properties map[string]map[string]any `json:"properties"`
				} `json:"schemas"`
			} `json:"components"`
		}
		resp.JSON(t, &doc)
		if required, ok := doc.Components.Parameters["Limit"]["required"]; !ok || required != false {
			t.Errorf("components.parameters.Limit.required = %v (present: %v), want false as written", required, ok)
		}
		if example, ok := doc.Components.Schemas["PlayerList"].Properties["next_cursor"]["example"]; !ok || example != nil {
			t.Errorf("PlayerList.next_cursor.example = %v (present: %v), want null as written", example, ok)
		}
		// And it is the same contract: kin-openapi reads both alike.
		fromJSON, err := openapi3.NewLoader().LoadFromData(resp.Body)
		if err != nil {
			t.Fatalf("loading /openapi.json: %v", err)
		}
		fromYAML, err := ninjagold.Spec()
		if err != nil {
			t.Fatal(err)
		}
		a, errA := fromJSON.MarshalJSON()
		b, errB := fromYAML.MarshalJSON()
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Errorf("/openapi.json and openapi.yaml load as different documents (%v, %v)", errA, errB)
		}
	})
	t.Run("JSON in the YAML's order, with the YAML's values", func(t *testing.T) {
		var doc map[string]any
		if err := yaml.Unmarshal(ninjagold.OpenAPIYAML, &doc); err != nil {
			t.Fatal(err)
		}
		// The generated response type, which impl does not use (it
		// encodes the document once), names the media type.
		want := httptest.NewRecorder()
		if err := (generated.GetOpenAPIJSON200JSONResponse{Body: doc}).VisitGetOpenAPIJSONResponse(want); err != nil {
			t.Fatal(err)
		}
		var fromYAML, fromJSON any
		if err := json.Unmarshal(want.Body.Bytes(), &fromYAML); err != nil {
			t.Fatal(err)
		}
		var node yaml.Node
		if err := yaml.Unmarshal(ninjagold.OpenAPIYAML, &node); err != nil {
			t.Fatal(err)
		}
		yamlKeys := nodeKeys(&node, nil)
		for range 2 { // and the second request gets what the first did
			resp := s.Do(t, apitest.Request{Method: "GET", Path: "/openapi.json"})
			if resp.Status != want.Code || resp.Header.Get("Content-Type") != want.Header().Get("Content-Type") {
				t.Errorf("got %d %q, the generated response %d %q", resp.Status, resp.Header.Get("Content-Type"), want.Code, want.Header().Get("Content-Type"))
			}
			resp.JSON(t, &fromJSON)
			if !reflect.DeepEqual(fromJSON, fromYAML) {
				t.Error("/openapi.json holds other values than openapi.yaml")
			}
			jsonKeys := tokenKeys(t, resp.Body)
			if len(jsonKeys) != len(yamlKeys) {
				t.Fatalf("/openapi.json has %d keys, openapi.yaml %d", len(jsonKeys), len(yamlKeys))
			}
			for k := range yamlKeys {
				if jsonKeys[k] != yamlKeys[k] {
					t.Fatalf("key %d is %q in /openapi.json, %q in openapi.yaml", k, jsonKeys[k], yamlKeys[k])
				}
			}
		}
	})
}

// nodeKeys appends the keys of every mapping under n, depth first, in the
// order the YAML writes them.
func nodeKeys(n *yaml.Node, keys []string) []string {
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			keys = append(keys, c.Value)
			continue
		}
		keys = nodeKeys(c, keys)
	}
	return keys
}

// tokenKeys lists the keys of every object in the JSON document b, depth
// first, in the order b writes them.
func tokenKeys(t *testing.T, b []byte) []string {
	t.Helper()
	type frame struct{ object, wantKey bool }
	var (
		keys  []string
		stack []frame
	)
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return keys
		}
		if err != nil {
			t.Fatal(err)
		}
		if n := len(stack); n > 0 && stack[n-1].wantKey && tok != json.Delim('}') {
			keys = append(keys, tok.(string))
			stack[n-1].wantKey = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}

func TestHealth(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	for _, path := range []string{"/healthz", "/readyz"} {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: path})
		if resp.Status != 200 || !strings.Contains(string(resp.Body), `"ok"`) {
			t.Errorf("%s = %d %s, want 200 ok", path, resp.Status, resp.Body)
		}
	}
}

// panicsIn is a server whose handler of the strict operation op (e.g.
// "GetPlayer") panics with msg.
func panicsIn(t *testing.T, op, msg string) *apitest.Server {
	boom := func(f generated.StrictHandlerFunc, name string) generated.StrictHandlerFunc {
		return func(c *gin.Context, req any) (any, error) {
			if name == op {
				panic(msg)
			}
			return f(c, req)
		}
	}
	return apitest.NewServer(t, apitest.Options{Config: api.Config{StrictMiddlewares: []generated.StrictMiddlewareFunc{boom}}})
}

// A panic anywhere below the router answers the declared 500 problem and
// discloses nothing about what panicked.
func TestPanicIsA500Problem(t *testing.T) {
	s := panicsIn(t, "GetPlayer", "secret internals: /etc/passwd")
	resp := s.Do(t, apitest.Request{Method: "GET", Path: "/players/1"})
	if resp.Status != http.StatusInternalServerError {
		t.Fatalf("status = %d, want 500", resp.Status)
	}
	p := resp.Problem(t)
	if p.Type != "/problems/internal-error" || strings.Contains(string(resp.Body), "secret") {
		t.Errorf("problem = %s, want an internal-error problem without internals", resp.Body)
	}
	// The server keeps serving after the panic.
	if got := s.Do(t, apitest.Request{Method: "GET", Path: "/locations/1"}); got.Status != 200 {
		t.Errorf("after the panic: status %d, want 200", got.Status)
	}
}

func TestBodyLimit(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{MaxBodyBytes: 64}})
	big := `{"first_name":"` + strings.Repeat("a", 100) + `","last_name":"Hanzo"}`

	t.Run("declared length over the limit", func(t *testing.T) {
		resp := s.Do(t, apitest.Request{Method: "POST", Path: "/players", Body: big})
		if resp.Status != http.StatusRequestEntityTooLarge || resp.Problem(t).Type != "/problems/payload-too-large" {
			t.Errorf("got %d %s, want 413 payload-too-large", resp.Status, resp.Body)
		}
	})
	t.Run("chunked body over the limit", func(t *testing.T) {
		// io.MultiReader hides the length, so the client streams it chunked.
		req, _ := http.NewRequest("POST", s.URL+"/players", io.MultiReader(strings.NewReader(big)))
		req.Header.Set("Content-Type", "application/json")
		if req.ContentLength != 0 {
			t.Fatal("request has a declared length; it would not be chunked")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("status = %d, want 413; body %s", resp.StatusCode, body)
		}
		var p generated.Problem
		if err := json.Unmarshal(body, &p); err != nil || p.Type != "/problems/payload-too-large" {
			t.Errorf("body = %s, want a payload-too-large problem", body)
		}
	})
	t.Run("the limit is inclusive", func(t *testing.T) {
		body := func(n int) string { // a valid player n bytes long
			b := `{"first_name":"` + strings.Repeat("a", n-37) + `","last_name":"Hanzo"}`
			if len(b) != n {
				t.Fatalf("body is %d bytes, want %d", len(b), n)
			}
			return b
		}
		for _, tt := range []struct{ size, want int }{{64, http.StatusCreated}, {65, http.StatusRequestEntityTooLarge}} {
			if resp := s.Do(t, apitest.Request{Method: "POST", Path: "/players", Body: body(tt.size)}); resp.Status != tt.want {
				t.Errorf("%d bytes: status %d, want %d", tt.size, resp.Status, tt.want)
			}
			// Chunked, the limit is counted as the body is read.
			req, _ := http.NewRequest("POST", s.URL+"/players", io.MultiReader(strings.NewReader(body(tt.size))))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("%d bytes chunked: status %d, want %d", tt.size, resp.StatusCode, tt.want)
			}
		}
	})
	t.Run("a body within the limit is served", func(t *testing.T) {
		resp := s.Do(t, apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo"}`})
		if resp.Status != http.StatusCreated {
			t.Errorf("status = %d, want 201", resp.Status)
		}
	})
}

// In --validate-responses mode a response that breaks the contract is
// logged with the operation, status and reason.
func TestValidateResponsesLogsViolations(t *testing.T) {
	bogus := func(f generated.StrictHandlerFunc, op string) generated.StrictHandlerFunc {
		return func(c *gin.Context, req any) (any, error) {
			if op == "GetHealth" {
				return generated.GetHealth200JSONResponse{Body: generated.Health{Status: "bogus"}}, nil
			}
			return f(c, req)
		}
	}
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{
		ValidateResponses: true, Logger: logger,
		StrictMiddlewares: []generated.StrictMiddlewareFunc{bogus},
	}})
	s.Do(t, apitest.Request{Method: "GET", Path: "/healthz", NoCheck: true})
	s.Do(t, apitest.Request{Method: "GET", Path: "/readyz"})

	var violations []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err == nil && rec["msg"] == api.ViolationMessage {
			violations = append(violations, rec)
		}
	}
	if len(violations) != 1 {
		t.Fatalf("got %d violations, want exactly 1 (for /healthz): %s", len(violations), buf.String())
	}
	v := violations[0]
	if v["operation"] != "getHealth" || v["status"] != float64(200) || !strings.Contains(fmt.Sprint(v["reason"]), "status") {
		t.Errorf("violation = %v, want operation getHealth, status 200 and a reason naming the field", v)
	}
}

func TestDocs(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	t.Run("/ redirects to /docs", func(t *testing.T) {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/"})
		if resp.Status != http.StatusFound || resp.Header.Get("Location") != "/docs" {
			t.Errorf("got %d Location %q, want 302 /docs", resp.Status, resp.Header.Get("Location"))
		}
	})
	t.Run("the page loads only its own assets under a strict CSP", func(t *testing.T) {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: "/docs"})
		if resp.Status != 200 || resp.Header.Get("Content-Type") != "text/html" {
			t.Fatalf("got %d %q", resp.Status, resp.Header.Get("Content-Type"))
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("CSP = %q", csp)
		}
		// The contract's example spells the whole policy: it is the one sent.
		spec, err := ninjagold.Spec()
		if err != nil {
			t.Fatal(err)
		}
		if h := spec.Components.Headers["ContentSecurityPolicy"]; h == nil || h.Value == nil || h.Value.Example != csp {
			t.Errorf("components.headers.ContentSecurityPolicy's example is not the CSP sent, %q", csp)
		}
		if strings.Contains(string(resp.Body), "http://") || strings.Contains(string(resp.Body), "https://") {
			t.Error("the page names another host")
		}
	})
	tests := []struct {
		asset      string
		wantStatus int
		wantType   string
	}{
		{"swagger-ui.css", 200, "text/css"},
		{"swagger-ui-bundle.js", 200, "text/javascript"},
		{"initializer.js", 200, "text/javascript"},
		{"favicon-32x32.png", 200, "image/png"},
		{"LICENSE", 200, "text/plain"},
		{"VERSION", 200, "text/plain"},
		{"missing.css", 404, "application/problem+json"},
		{"..%2Fimpl", 400, "application/problem+json"}, // one segment, not a file name
		{"bad%20name.css", 400, "application/problem+json"},
	}
	for _, tt := range tests {
		t.Run(tt.asset, func(t *testing.T) {
			resp := s.Do(t, apitest.Request{Method: "GET", Path: "/docs/" + tt.asset})
			if resp.Status != tt.wantStatus || resp.Header.Get("Content-Type") != tt.wantType {
				t.Errorf("got %d %q, want %d %q", resp.Status, resp.Header.Get("Content-Type"), tt.wantStatus, tt.wantType)
			}
		})
	}
}

// A HEAD response is checked too (its headers and status; it has no body):
// an undeclared header on HEAD /healthz is logged as a violation.
func TestValidateResponsesChecksHead(t *testing.T) {
	bogus := func(f generated.StrictHandlerFunc, op string) generated.StrictHandlerFunc {
		return func(c *gin.Context, req any) (any, error) {
			if op == "GetHealth" {
				c.Header("X-Bogus", "1")
			}
			return f(c, req)
		}
	}
	var buf bytes.Buffer
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{
		ValidateResponses: true, Logger: slog.New(slog.NewJSONHandler(&buf, nil)),
		StrictMiddlewares: []generated.StrictMiddlewareFunc{bogus},
	}})
	s.Do(t, apitest.Request{Method: "HEAD", Path: "/healthz", NoCheck: true})
	var violations []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err == nil && rec["msg"] == api.ViolationMessage {
			violations = append(violations, rec)
		}
	}
	if len(violations) != 1 || !strings.Contains(fmt.Sprint(violations[0]["reason"]), "X-Bogus") {
		t.Fatalf("violations %v, want one naming X-Bogus: %s", violations, buf.String())
	}
}
