package main

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestShapesAgainstEncodingJSON generates the writer of a made-up response
// whose body has every shape the generator writes (the unsigned, bool,
// int8 and defined integer kinds, nested and nil slices, aliases of
// structs, an empty struct, the "-," key, untagged and unexported fields,
// a nullable over an alias, an int header), builds it in a package next to
// a writer made the way oapi-codegen makes them, and runs a test there
// comparing the two on values at the edges. It runs the go command.
func TestShapesAgainstEncodingJSON(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the generated code: %v", err)
	}
	// Inside the module, which the generated code's import of
	// internal/jsonwrite requires; "_" keeps it out of ./... patterns.
	dir, err := os.MkdirTemp(".", "_shapes")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })

	file, err := parser.ParseFile(token.NewFileSet(), "types.go", shapesTypes, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	rs := []response{{typeName: "R200JSONResponse", status: 200, headers: []string{"Count", "X-Request-ID"}}}
	src, err := writeFile("shapes", "spec.yaml", "types.go", rs, newDecls(file))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "type FastR200JSONResponse struct") {
		t.Fatalf("the response was left to encoding/json:\n%s", src)
	}
	for name, content := range map[string]string{
		"types.go": shapesTypes, "writers.gen.go": string(src), "shapes_test.go": shapesTest,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(goCmd, "test", "-count=1", "./"+filepath.Base(dir))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test of the generated writer: %v\n%s\n%s", err, out, src)
	}
}

const shapesTypes = `package shapes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/oapi-codegen/nullable"
)

type Cursor = string

type Level int16

type Name string

type Empty struct{}

type Point struct {
	X uint16 ` + "`json:\"x\"`" + `
	Y bool   ` + "`json:\"y\"`" + `
}

type PointAlias = Point

type Body struct {
	Plain   string
	Dash    string ` + "`json:\"-,\"`" + `
	skipped int
	Hidden  int ` + "`json:\"-\"`" + `
	P, Q    int64
	Big     uint64                    ` + "`json:\"big\"`" + `
	Small   int8                      ` + "`json:\"small\"`" + `
	Octet   uint8                     ` + "`json:\"octet\"`" + `
	Level   Level                     ` + "`json:\"level\"`" + `
	Name    Name                      ` + "`json:\"name\"`" + `
	Grid    [][]int                   ` + "`json:\"grid\"`" + `
	Points  []PointAlias              ` + "`json:\"points\"`" + `
	Empty   Empty                     ` + "`json:\"empty\"`" + `
	When    time.Time                 ` + "`json:\"when\"`" + `
	Next    nullable.Nullable[Cursor] ` + "`json:\"next\"`" + `
	Names   []Name                    ` + "`json:\"names\"`" + `
}

type R200ResponseHeaders struct {
	Count      int
	XRequestID *string
}

type R200JSONResponse struct {
	Body    Body
	Headers R200ResponseHeaders
}

// VisitRResponse is written as oapi-codegen writes them.
func (response R200JSONResponse) VisitRResponse(w http.ResponseWriter) error {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(response.Body); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Count", fmt.Sprint(response.Headers.Count))
	if response.Headers.XRequestID != nil {
		w.Header().Set("X-Request-ID", fmt.Sprint(*response.Headers.XRequestID))
	}
	w.WriteHeader(200)
	_, err := buf.WriteTo(w)
	return err
}

var _ = Body{}.skipped
`

const shapesTest = `package shapes

import (
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/oapi-codegen/nullable"
)

func TestFastMatchesEncodingJSON(t *testing.T) {
	id := "req-<1>"
	when := time.Date(2026, 12, 1, 10, 0, 0, 5, time.FixedZone("", -3600))
	for i, r := range []R200JSONResponse{
		{},
		{Body: Body{
			Plain: "a<b>&\u2028\xff", Dash: "d", skipped: 9, Hidden: 9, P: -1 << 63, Q: 1<<63 - 1, Big: 1<<64 - 1,
			Small: -128, Octet: 255, Level: -7, Name: "n\"\\", Grid: [][]int{{}, nil, {1, -2}},
			Points: []PointAlias{{X: 65535, Y: true}, {}}, When: when,
			Next: nullable.NewNullableWithValue[Cursor]("c\n"), Names: []Name{},
		}, Headers: R200ResponseHeaders{Count: -3, XRequestID: &id}},
		{Body: Body{Next: nullable.NewNullNullable[Cursor](), Names: []Name{"x", ""}}},
		{Body: Body{When: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
	} {
		want, got := httptest.NewRecorder(), httptest.NewRecorder()
		wantErr := r.VisitRResponse(want)
		gotErr := FastR200JSONResponse{R200JSONResponse: r}.VisitRResponse(got)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("value %d: encoding/json error %v, generated writer's %v", i, wantErr, gotErr)
		}
		if want.Code != got.Code || !reflect.DeepEqual(want.Header(), got.Header()) || want.Body.String() != got.Body.String() {
			t.Errorf("value %d:\n got %d %v %s\nwant %d %v %s", i, got.Code, got.Header(), got.Body, want.Code, want.Header(), want.Body)
		}
	}
}
`
