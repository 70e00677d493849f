package api_test

import (
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

const admin = apitest.AdminToken

// The seed's first example: the location list as JSON with status 200.
func TestSeedLocationList(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	resp := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"})
	if resp.Status != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.Status)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	var list generated.LocationList
	resp.JSON(t, &list)
	type rng struct {
		name     string
		min, max int32
	}
	var got []rng
	for _, l := range list.Items {
		got = append(got, rng{l.Name, l.MinGold, l.MaxGold})
	}
	want := []rng{{"Farm", 10, 20}, {"Cave", 5, 10}, {"House", 2, 5}, {"Casino", -50, 50}}
	if len(got) != len(want) {
		t.Fatalf("locations = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("location %d = %v, want %v", i, got[i], want[i])
		}
	}
	if !list.NextCursor.IsNull() {
		t.Errorf("next_cursor = %v, want null on the only page", list.NextCursor)
	}
}

// The seed's second example, to the letter.
func TestSeedErrorObject(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	resp := s.Do(t, apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"A","last_name":"B"}`})
	if resp.Status != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400", resp.Status)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", got)
	}
	p := resp.Problem(t)
	want := map[string]string{
		"first_name": "first name must be at least 2 characters long",
		"last_name":  "last name must be at least 2 characters long",
	}
	if !maps.Equal(p.Errors, want) {
		t.Errorf("errors = %v, want %v", p.Errors, want)
	}
	wantInstance := "/players#" + resp.Header.Get("X-Request-ID")
	if p.Type != "/problems/validation-error" || p.Status != 400 || p.Instance == nil || *p.Instance != wantInstance {
		t.Errorf("problem = %+v, want type /problems/validation-error, status 400, instance %s", p, wantInstance)
	}
}

// A problem's instance is a URI reference (RFC 3986): a raw [ or ] in the
// path, which Go's server keeps as sent (browsers send them so), is escaped
// in it, and an & is written as it is. (A path with other characters that
// must be escaped is given as Go escapes it again: /a%2F| becomes /a/%7C.)
func TestInstanceIsAURIReference(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	tests := []struct {
		path, want string
		status     int
	}{
		{"/locations/[1]", "/locations/%5B1%5D", http.StatusBadRequest},
		{"/locations/%5B1%5D", "/locations/%5B1%5D", http.StatusBadRequest},
		{"/nowhere/[x]", "/nowhere/%5Bx%5D", http.StatusNotFound},
		{"/locations/x]", "/locations/x%5D", http.StatusBadRequest}, // one alone
		{"/nowhere/[", "/nowhere/%5B", http.StatusNotFound},
		{"/players/999", "/players/999", http.StatusNotFound},
		{"/locations/a&b", "/locations/a&b", http.StatusBadRequest},
		// A dot segment, as sent or as %2E (which the router decodes), is
		// escaped: resolved, /locations/../locations would be /locations.
		{"/locations/../locations", "/locations/%2E%2E/locations", http.StatusNotFound},
		{"/%2e%2e/%2E%2E/etc/passwd", "/%2E%2E/%2E%2E/etc/passwd", http.StatusNotFound},
		{"/locations/./1", "/locations/%2E/1", http.StatusNotFound},
		{"/.%2e/x/.", "/%2E%2E/x/%2E", http.StatusNotFound},
		{"/locations/..", "/locations/%2E%2E", http.StatusBadRequest},
		// Not dot segments: left as they are.
		{"/.../.x/x./..y", "/.../.x/x./..y", http.StatusNotFound},
	}
	for _, tt := range tests {
		resp := s.Do(t, apitest.Request{Method: "GET", Path: tt.path})
		want := tt.want + "#" + resp.Header.Get("X-Request-ID")
		got := "(none)"
		if p := resp.Problem(t); p.Instance != nil {
			got = *p.Instance
		}
		if resp.Status != tt.status || got != want {
			t.Errorf("GET %s: %d, instance %s; want %d, %s", tt.path, resp.Status, got, tt.status, want)
		}
		// Written as it is: JSON, not JSON made safe for HTML (& as \u0026).
		if raw := `"instance":"` + want + `"`; !strings.Contains(string(resp.Body), raw) {
			t.Errorf("GET %s: body %s, want it to hold %s", tt.path, resp.Body, raw)
		}
	}
}

// Every error class, with the exact problem type and field messages.
// members is a JSON object of the members given and n more, "k0":0 to
// "k<n-1>":n-1.
func members(given string, n int) string {
	var b strings.Builder
	b.WriteString("{" + given)
	for i := range n {
		fmt.Fprintf(&b, `,"k%d":%d`, i, i)
	}
	return b.String() + "}"
}

// notAllowed is the errors of members' n extra members.
func notAllowed(n int) map[string]string {
	fields := map[string]string{}
	for i := range n {
		k := fmt.Sprintf("k%d", i)
		fields[k] = k + " is not allowed"
	}
	return fields
}

func TestErrors(t *testing.T) {
	long := strings.Repeat("x", 51)
	tests := []struct {
		name       string
		req        apitest.Request
		wantStatus int
		wantType   generated.ProblemType
		wantErrors map[string]string
		wantDetail string // a 401's; a 400's when the errors name the body, otherwise "N fields are invalid."
		wantHeader map[string]string
	}{
		{
			name:       "missing fields are required",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"first_name": "first name is required", "last_name": "last name is required"},
		},
		{
			name:       "too long",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"` + long + `","last_name":"Hanzo"}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"first_name": "first name must be at most 50 characters long"},
		},
		{
			name:       "wrong type",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":7,"last_name":true}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"first_name": "first name must be a string", "last_name": "last name must be a string"},
		},
		{
			name:       "unknown field keyed by its own name",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo","clan":"Iga"}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"clan": "clan is not allowed"},
		},
		{
			// Names no snake_case word are quoted, escapes and all, and
			// cut: the message shows what was sent, and stays short.
			name: "unknown fields of made-up names quoted",
			req: apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo",` +
				`"_":1,"__proto__":2,"a\u202eb":3,"\udb40\udc01\u0000\"":4,"` + strings.Repeat("n", 100) + `":5}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{
				"_":                      `"_" is not allowed`,
				"__proto__":              `"__proto__" is not allowed`,
				"a\u202eb":               `"a\u202eb" is not allowed`,
				"\U000E0001\x00\"":       `"\udb40\udc01\u0000\"" is not allowed`,
				strings.Repeat("n", 100): `"` + strings.Repeat("n", 64) + `…" is not allowed`,
			},
		},
		{
			// snake_case is lower case and starts with a letter: FIRST
			// NAME would read as if first_name were refused.
			name: "unknown fields of names in other cases quoted",
			req: apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo",` +
				`"FIRST_NAME":1,"firstName":2,"First_name":3,"1x":4,"x1_2":5}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{
				"FIRST_NAME": `"FIRST_NAME" is not allowed`,
				"firstName":  `"firstName" is not allowed`,
				"First_name": `"First_name" is not allowed`,
				"1x":         `"1x" is not allowed`,
				"x1_2":       `x1 2 is not allowed`,
			},
		},
		{
			// A made-up name is quoted in every message about it: given
			// twice, or holding text that is not Unicode, as when it is
			// not allowed.
			name: "made-up names quoted in each of their faults",
			req: apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo",` +
				`"__proto__":"\ud800","a\u202eb":1,"a\u202eb":2,"` + strings.Repeat("n", 100) + `":1,"` + strings.Repeat("n", 100) + `":2}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{
				"__proto__":              `"__proto__" is not allowed; "__proto__" must be valid Unicode: it escapes half of a surrogate pair`,
				"a\u202eb":               `"a\u202eb" is not allowed; "a\u202eb" must be given only once`,
				strings.Repeat("n", 100): `"` + strings.Repeat("n", 64) + `…" is not allowed; "` + strings.Repeat("n", 64) + `…" must be given only once`,
			},
		},
		{
			name:       "up to 16 members, each one not allowed is named",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: members(`"first_name":"Hattori","last_name":"Hanzo"`, 14)},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: notAllowed(14),
		},
		{
			name:       "more than 16 members are refused whole",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: members(`"first_name":"Hattori","last_name":"Hanzo"`, 15)},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"body": "request body must have at most 16 members"},
			wantDetail: "The request body is invalid.",
		},
		{
			// That one message, whatever the members hold: the 17th's
			// text that is not UTF-8 is not named.
			name:       "more than 16 members are refused whole, text that is not UTF-8 in them too",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: strings.TrimSuffix(members(`"first_name":"Hattori","last_name":"Hanzo"`, 14), "}") + ",\"a16\":\"\xff\"}"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"body": "request body must have at most 16 members"},
			wantDetail: "The request body is invalid.",
		},
		{
			name:       "members are counted as written",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: "{" + strings.Repeat(`"first_name":"Hattori",`, 16) + `"last_name":"Hanzo"}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"body": "request body must have at most 16 members"},
			wantDetail: "The request body is invalid.",
		},
		{
			name:       "pattern",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":" Hattori","last_name":"Hanzo"}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"first_name": "first name must not start or end with whitespace or contain a line break, a control character or an invisible format character"},
		},
		{
			name:       "pattern: a line break inside",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Ha\nX","last_name":"Hanzo"}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"first_name": "first name must not start or end with whitespace or contain a line break, a control character or an invisible format character"},
		},
		{
			name:       "a minimum length of one",
			req:        apitest.Request{Method: "GET", Path: "/locations?cursor="},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"cursor": "cursor must not be empty"},
		},
		{
			name:       "an id beyond int64",
			req:        apitest.Request{Method: "GET", Path: "/locations/99999999999999999999"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id is out of range"},
		},
		{
			name:       "a limit beyond int32, by its bound",
			req:        apitest.Request{Method: "GET", Path: "/players?limit=99999999999"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"limit": "limit must be at most 100"},
		},
		{
			name:       "a limit below int32, by its bound",
			req:        apitest.Request{Method: "GET", Path: "/players?limit=-99999999999"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"limit": "limit must be at least 1"},
		},
		{
			name:       "a path parameter named in words",
			req:        apitest.Request{Method: "GET", Path: "/players/1/visits/0"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"visit_id": "visit id must be at least 1"},
		},
		{
			name:       "path parameters of the wrong type, named in words",
			req:        apitest.Request{Method: "GET", Path: "/players/abc/visits/xyz"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id must be an integer", "visit_id": "visit id must be an integer"},
		},
		{
			name:       "an empty limit",
			req:        apitest.Request{Method: "GET", Path: "/players?limit="},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"limit": "limit must not be empty"},
		},
		{
			name:       "a broken percent-escape in the query",
			req:        apitest.Request{Method: "GET", Path: "/players?limit=%zz"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"limit": "limit must be percent-encoded correctly"},
		},
		{
			name:       "a semicolon in the query",
			req:        apitest.Request{Method: "GET", Path: "/players?limit=1&sort=gold;"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"sort": "sort must not contain a semicolon: separate parameters with &"},
		},
		{
			// The errors object's keys are the contract's parameters: a
			// fault in a pair the operation does not declare, or in no
			// pair one can read, is the query's.
			name:       "a semicolon or a broken escape outside the declared parameters",
			req:        apitest.Request{Method: "GET", Path: "/locations?foo=1;x&=2;y&%E2%80%AE=%zz&%00=1;z"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"query": "query must not contain a semicolon: separate parameters with &"},
		},
		{
			// Of two faults under one name, the first is told.
			name:       "a semicolon, then a broken escape, outside the declared parameters",
			req:        apitest.Request{Method: "GET", Path: "/locations?a;b&c=%zz"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"query": "query must not contain a semicolon: separate parameters with &"},
		},
		{
			name:       "a broken escape outside the declared parameters, and one in limit",
			req:        apitest.Request{Method: "GET", Path: "/locations?%zz&limit=%zz"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"query": "query must be percent-encoded correctly", "limit": "limit must be percent-encoded correctly"},
		},
		{
			name:       "a query parameter given twice",
			req:        apitest.Request{Method: "GET", Path: "/locations?limit=5&limit=500"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"limit": "limit must be given only once"},
		},
		{
			name: "a one-value header sent twice",
			req: apitest.Request{Method: "POST", Path: "/players/1/visits", Token: "a-player-token", Body: `{"location_id":1}`,
				Lines: map[string][]string{"Idempotency-Key": {"key-1", "key-2"}}},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"Idempotency-Key": "Idempotency-Key must be given only once"},
		},
		{
			name: "an integer in the body past int64",
			req: apitest.Request{Method: "POST", Path: "/players/1/visits", Token: "a-player-token",
				Body: `{"location_id":9223372036854775808}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"location_id": "location id is out of range"},
		},
		{
			// A field with a maximum says so, as the contract's overview has it.
			name: "an integer in the body past int64, in a field with a maximum",
			req: apitest.Request{Method: "PUT", Path: "/locations/4", Token: admin,
				Body: `{"name":"Casino","min_gold":-50,"max_gold":9223372036854775808,"description":"x"}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"max_gold": "max gold must be at most 1000000"},
		},
		{
			name: "an integer in the body below int64 is below the minimum",
			req: apitest.Request{Method: "POST", Path: "/players/1/visits", Token: "a-player-token",
				Body: `{"location_id":-9223372036854775809}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"location_id": "location id must be at least 1"},
		},
		{
			// kin-openapi reads it as 0, below the minimum; its digits say
			// it is no integer, and they decide.
			name: "a number in the body a double rounds to an integer below the minimum",
			req: apitest.Request{Method: "POST", Path: "/players/1/visits", Token: "a-player-token",
				Body: `{"location_id":1e-400}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"location_id": "location id must be an integer"},
		},
		{
			name: "an integer in the body past int64, written with an exponent",
			req: apitest.Request{Method: "POST", Path: "/players/1/visits", Token: "a-player-token",
				Body: `{"location_id":1e19}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"location_id": "location id is out of range"},
		},
		{
			name: "a member given twice",
			req: apitest.Request{Method: "POST", Path: "/players",
				Body: `{"first_name":"Hattori","first_name":"Fuma","last_name":"Hanzo"}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"first_name": "first name must be given only once"},
		},
		{
			name: "a member given twice beside another fault",
			req: apitest.Request{Method: "POST", Path: "/players/1/visits", Token: "a-player-token",
				Body: `{"location_id":2,"location_id":1,"x":1}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"location_id": "location id must be given only once", "x": "x is not allowed"},
		},
		{
			name: "a member given twice, the last time wrongly",
			req: apitest.Request{Method: "POST", Path: "/players/1/visits", Token: "a-player-token",
				Body: `{"location_id":1,"location_id":"x"}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"location_id": "location id must be given only once"},
		},
		{
			// Too short and blank at its ends, two faults of one rank: the
			// length, worded as the seed words it, is the one named.
			name:       "a one-space name",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":" ","last_name":"Hanzo"}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"first_name": "first name must be at least 2 characters long"},
		},
		{
			// "body" is the body's own key: a member of that name given
			// twice is a fault of the body, not a field.
			name: "a member named body given twice",
			req: apitest.Request{Method: "POST", Path: "/players",
				Body: `{"first_name":"Hattori","last_name":"Hanzo","body":1,"body":2}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"body": "request body has a member that is not allowed; request body must give each member only once"},
			wantDetail: "The request body is invalid.",
		},
		{
			name: "a member that names no field given twice",
			req: apitest.Request{Method: "POST", Path: "/players",
				Body: `{"first_name":"Hattori","last_name":"Hanzo","a.b":1,"a.b":2}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			// a.b is also unknown: both faults of the body are named.
			wantErrors: map[string]string{"body": "request body has a member that is not allowed; request body must give each member only once"},
			wantDetail: "The request body is invalid.",
		},
		{
			// A client that PUTs back what it read, to a wrong URL: the
			// path's id and the body's are two faults under one key.
			name: "a body member named as a path parameter, both wrong",
			req: apitest.Request{Method: "PUT", Path: "/locations/abc", Token: admin,
				Body: `{"id":1,"name":"Farm","min_gold":10,"max_gold":20}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id must be an integer; id is not allowed"},
		},
		{
			name: "a body member named as a path parameter given twice, the path wrong",
			req: apitest.Request{Method: "PUT", Path: "/locations/abc", Token: admin,
				Body: `{"id":1,"id":2,"name":"Farm","min_gold":10,"max_gold":20}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id must be an integer; id is not allowed; id must be given only once"},
		},
		{
			name: "a body member named as a path parameter given twice, beside another fault",
			req: apitest.Request{Method: "POST", Path: "/players/0/visits", Token: "a-player-token",
				Body: `{"location_id":1,"id":3,"id":4}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id must be at least 1; id is not allowed; id must be given only once"},
		},
		{
			name: "a member not allowed, given twice",
			req: apitest.Request{Method: "POST", Path: "/players",
				Body: `{"first_name":"Hattori","last_name":"Hanzo","clan":"Iga","clan":"Koga"}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"clan": "clan is not allowed; clan must be given only once"},
		},
		{
			name: "a member not allowed, with a lone surrogate",
			req: apitest.Request{Method: "POST", Path: "/players",
				Body: `{"first_name":"Hattori","last_name":"Hanzo","clan":"\ud800"}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"clan": "clan is not allowed; clan must be valid Unicode: it escapes half of a surrogate pair"},
		},
		{
			// The body is refused before it is read as JSON: the path's
			// fault is named all the same.
			name: "a body that is not JSON, the path wrong",
			req: apitest.Request{Method: "PUT", Path: "/locations/abc", Token: admin,
				Body: `{`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id must be an integer", "body": "request body must be valid JSON"},
			wantDetail: "The request body and 1 field are invalid.",
		},
		{
			name: "a body that is not JSON, with a lone surrogate, the path wrong",
			req: apitest.Request{Method: "PUT", Path: "/locations/0", Token: admin,
				Body: `{"name":"\ud800",`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id must be at least 1", "body": "request body must be valid JSON", "name": "name must be valid Unicode: it escapes half of a surrogate pair"},
			wantDetail: "The request body and 2 fields are invalid.",
		},
		{
			name: "a body of too many members, the path wrong",
			req: apitest.Request{Method: "POST", Path: "/players/0/visits", Token: "a-player-token",
				Body: `{"location_id":1,"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,"m":1,"n":1,"o":1,"p":1}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id must be at least 1", "body": "request body must have at most 16 members"},
			wantDetail: "The request body and 1 field are invalid.",
		},
		{
			name: "a member's name that names no character, the path wrong",
			req: apitest.Request{Method: "POST", Path: "/players/x/visits", Token: "a-player-token",
				Body: `{"location_id":1,"\udc00":1}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id must be an integer", "body": "request body must be valid Unicode: it escapes half of a surrogate pair"},
			wantDetail: "The request body and 1 field are invalid.",
		},
		{
			name: "a body member named as a path parameter, the path right",
			req: apitest.Request{Method: "PUT", Path: "/locations/1", Token: admin,
				Body: `{"id":1,"name":"Farm","min_gold":10,"max_gold":20}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id is not allowed"},
		},
		{
			name: "a body member named as a path parameter, beside another fault",
			req: apitest.Request{Method: "POST", Path: "/players/0/visits", Token: "a-player-token",
				Body: `{"location_id":"x","id":3}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id must be at least 1; id is not allowed", "location_id": "location id must be an integer"},
		},
		{
			// "" has no label, a.b would read as a path, body as the whole
			// body: each is said of the body, not keyed by its name.
			name: "members whose names cannot key a field",
			req: apitest.Request{Method: "POST", Path: "/players",
				Body: `{"first_name":"Hattori","last_name":"Hanzo","":1,"a.b":1,"body":1}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"body": "request body has a member that is not allowed"},
			wantDetail: "The request body is invalid.",
		},
		{
			name: "a member named body beside a field's fault",
			req: apitest.Request{Method: "POST", Path: "/players",
				Body: `{"first_name":"H","last_name":"Hanzo","body":1}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"body": "request body has a member that is not allowed", "first_name": "first name must be at least 2 characters long"},
			wantDetail: "The request body and 1 field are invalid.",
		},
		{
			name: "an integer past int64 beside another fault",
			req: apitest.Request{Method: "POST", Path: "/players/1/visits", Token: "a-player-token",
				Body: `{"location_id":9223372036854775808,"x":1}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"location_id": "location id is out of range", "x": "x is not allowed"},
		},
		{
			name: "two Authorization lines",
			req: apitest.Request{Method: "POST", Path: "/players/1/visits", Body: `{"location_id":1}`,
				Lines: map[string][]string{"Authorization": {"Bearer a-player-token", "Bearer another-token"}}},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"Authorization": "Authorization must be given only once"},
		},
		{
			name: "two Content-Type lines",
			req: apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo"}`,
				Lines: map[string][]string{"Content-Type": {"application/json", "text/plain"}}},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"Content-Type": "Content-Type must be given only once"},
		},
		{
			name:       "a compressed body",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{}`, Header: map[string]string{"Content-Encoding": "gzip"}},
			wantStatus: 415, wantType: "/problems/unsupported-media-type",
			wantErrors: map[string]string{"Content-Encoding": "Content-Encoding must be identity or absent"},
			wantHeader: map[string]string{"Accept-Encoding": "identity"},
		},
		{
			name: "a compressed body named on a second Content-Encoding line",
			req: apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo"}`,
				Lines: map[string][]string{"Content-Encoding": {"identity", "gzip"}}},
			wantStatus: 415, wantType: "/problems/unsupported-media-type",
			wantErrors: map[string]string{"Content-Encoding": "Content-Encoding must be identity or absent"},
		},
		{
			name: "a coding after identity on one Content-Encoding line",
			req: apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo"}`,
				Header: map[string]string{"Content-Encoding": "identity, br"}},
			wantStatus: 415, wantType: "/problems/unsupported-media-type",
			wantErrors: map[string]string{"Content-Encoding": "Content-Encoding must be identity or absent"},
		},
		{
			name:       "null where none is allowed",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":null,"last_name":"Hanzo"}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"first_name": "first name must not be null"},
		},
		{
			name:       "body that is not JSON",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"body": "request body must be valid JSON"},
			wantDetail: "The request body is invalid.",
		},
		{
			// Valid JSON but for encoding/json's nesting limit: an object
			// and 10,000 arrays in it are 10,001 levels. The message
			// names the limit, not a syntax error.
			name:       "body nested past the limit",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo","x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"body": "request body must be valid JSON nested at most 10000 levels deep"},
			wantDetail: "The request body is invalid.",
		},
		{
			// At the limit (10,000 levels) it is JSON: refused for the
			// member, not the nesting.
			name:       "body nested to the limit",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"Hattori","last_name":"Hanzo","x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"x": "x is not allowed"},
		},
		{
			// At the limit and cut short: a syntax error, said as one.
			name:       "body nested to the limit and cut short",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999)},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"body": "request body must be valid JSON"},
			wantDetail: "The request body is invalid.",
		},
		{
			// Brackets inside a string do not nest.
			name:       "brackets in a string",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{"first_name":"` + strings.Repeat("[", 10001) + `","last_name":` + strings.Repeat("[", 3) + `}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"body": "request body must be valid JSON"},
			wantDetail: "The request body is invalid.",
		},
		{
			name:       "body that is not an object",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `["Hattori"]`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"body": "request body must be an object"},
			wantDetail: "The request body is invalid.",
		},
		{
			name:       "missing body",
			req:        apitest.Request{Method: "POST", Path: "/players", Header: map[string]string{"Content-Type": "application/json"}},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"body": "request body is required"},
			wantDetail: "The request body is invalid.",
		},
		{
			name: "range violations",
			req: apitest.Request{Method: "POST", Path: "/locations", Token: admin,
				Body: `{"name":"Dojo","min_gold":-1000001,"max_gold":1000001}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"min_gold": "min gold must be at least -1000000", "max_gold": "max gold must be at most 1000000"},
		},
		{
			name: "fraction where an integer is required",
			req: apitest.Request{Method: "POST", Path: "/locations", Token: admin,
				Body: `{"name":"Dojo","min_gold":1.5,"max_gold":2}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"min_gold": "min gold must be an integer"},
		},
		{
			name: "min_gold above max_gold, checked in impl, reported like a schema error",
			req: apitest.Request{Method: "POST", Path: "/locations", Token: admin,
				Body: `{"name":"Dojo","min_gold":30,"max_gold":10}`},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"min_gold": "min gold must be less than or equal to max gold"},
		},
		{
			name:       "query parameter out of range",
			req:        apitest.Request{Method: "GET", Path: "/locations?limit=101"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"limit": "limit must be at most 100"},
		},
		{
			name:       "query parameter below range",
			req:        apitest.Request{Method: "GET", Path: "/locations?limit=0"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"limit": "limit must be at least 1"},
		},
		{
			name:       "query parameter of the wrong type",
			req:        apitest.Request{Method: "GET", Path: "/locations?limit=ten"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"limit": "limit must be an integer"},
		},
		{
			name:       "enum",
			req:        apitest.Request{Method: "GET", Path: "/players?sort=richest"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"sort": "sort must be one of: -gold, gold, -created_at, created_at"},
		},
		{
			name:       "cursor not issued by the server",
			req:        apitest.Request{Method: "GET", Path: "/locations?cursor=not-a-cursor"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"cursor": "cursor is not valid: use the next_cursor of a previous page"},
		},
		{
			name:       "path parameter of the wrong type",
			req:        apitest.Request{Method: "GET", Path: "/locations/abc"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id must be an integer"},
		},
		{
			name:       "path parameter below range",
			req:        apitest.Request{Method: "GET", Path: "/players/0"},
			wantStatus: 400, wantType: "/problems/validation-error",
			wantErrors: map[string]string{"id": "id must be at least 1"},
		},
		{
			name:       "unknown location",
			req:        apitest.Request{Method: "GET", Path: "/locations/999"},
			wantStatus: 404, wantType: "/problems/not-found", wantErrors: map[string]string{},
		},
		{
			name:       "unknown player",
			req:        apitest.Request{Method: "GET", Path: "/players/999"},
			wantStatus: 404, wantType: "/problems/not-found", wantErrors: map[string]string{},
		},
		{
			name:       "unknown route",
			req:        apitest.Request{Method: "GET", Path: "/dragons"},
			wantStatus: 404, wantType: "/problems/not-found", wantErrors: map[string]string{},
		},
		{
			name:       "trailing slash is not redirected",
			req:        apitest.Request{Method: "GET", Path: "/locations/"},
			wantStatus: 404, wantType: "/problems/not-found", wantErrors: map[string]string{},
		},
		{
			name:       "wrong method on a collection",
			req:        apitest.Request{Method: "PUT", Path: "/players"},
			wantStatus: 405, wantType: "/problems/method-not-allowed", wantErrors: map[string]string{},
			wantHeader: map[string]string{"Allow": "GET, HEAD, OPTIONS, POST"},
		},
		{
			name:       "wrong method on an item",
			req:        apitest.Request{Method: "POST", Path: "/locations/1"},
			wantStatus: 405, wantType: "/problems/method-not-allowed", wantErrors: map[string]string{},
			wantHeader: map[string]string{"Allow": "DELETE, GET, HEAD, OPTIONS, PATCH, PUT"},
		},
		{
			name:       "no admin token",
			req:        apitest.Request{Method: "POST", Path: "/locations", Body: `{"name":"Dojo","min_gold":1,"max_gold":2}`},
			wantStatus: 401, wantType: "/problems/unauthorized", wantErrors: map[string]string{},
			wantDetail: "This operation needs the admin token: send it as the bearer token in the Authorization header.",
			wantHeader: map[string]string{"WWW-Authenticate": "Bearer"},
		},
		{
			name: "wrong admin token",
			req: apitest.Request{Method: "DELETE", Path: "/locations/1", Token: "not-" + admin,
				Header: map[string]string{"Authorization": ""}},
			wantStatus: 401, wantType: "/problems/unauthorized", wantErrors: map[string]string{},
			wantDetail: "This operation needs the admin token: send it as the bearer token in the Authorization header.",
			wantHeader: map[string]string{"WWW-Authenticate": `Bearer error="invalid_token"`},
		},
		{
			name: "a token of no player",
			req: apitest.Request{Method: "POST", Path: "/players/1/visits", Token: "ngp_no-such-player-token",
				Body: `{"location_id":1}`},
			wantStatus: 401, wantType: "/problems/unauthorized", wantErrors: map[string]string{},
			wantDetail: "The token does not belong to any player.",
			wantHeader: map[string]string{"WWW-Authenticate": `Bearer error="invalid_token"`},
		},
		{
			name: "a scheme other than Bearer",
			req: apitest.Request{Method: "DELETE", Path: "/locations/1",
				Header: map[string]string{"Authorization": "Basic YWRtaW46YWRtaW4="}},
			wantStatus: 401, wantType: "/problems/unauthorized", wantErrors: map[string]string{},
			wantDetail: "This operation needs the admin token: send it as the bearer token in the Authorization header.",
			wantHeader: map[string]string{"WWW-Authenticate": "Bearer"},
		},
		{
			// The token is checked before the request: without one, what
			// else is wrong with the request is no stranger's to learn.
			name:       "no player token, and a body that is not JSON",
			req:        apitest.Request{Method: "POST", Path: "/players/1/visits", Body: `{`},
			wantStatus: 401, wantType: "/problems/unauthorized", wantErrors: map[string]string{},
			wantDetail: "Send a valid bearer token in the Authorization header.",
			wantHeader: map[string]string{"WWW-Authenticate": "Bearer"},
		},
		{
			name:       "no player token, and a player id that is not one",
			req:        apitest.Request{Method: "POST", Path: "/players/abc/visits", Body: `{"location_id":1}`},
			wantStatus: 401, wantType: "/problems/unauthorized", wantErrors: map[string]string{},
			wantDetail: "Send a valid bearer token in the Authorization header.",
			wantHeader: map[string]string{"WWW-Authenticate": "Bearer"},
		},
		{
			name:       "no token to delete a player of an id that is not one",
			req:        apitest.Request{Method: "DELETE", Path: "/players/abc"},
			wantStatus: 401, wantType: "/problems/unauthorized", wantErrors: map[string]string{},
			wantDetail: "Send a valid bearer token in the Authorization header.",
			wantHeader: map[string]string{"WWW-Authenticate": "Bearer"},
		},
		{
			name:       "no token to replace a token, and a body that is not JSON",
			req:        apitest.Request{Method: "POST", Path: "/players/1/token", Body: `{`},
			wantStatus: 401, wantType: "/problems/unauthorized", wantErrors: map[string]string{},
			wantDetail: "Send a valid bearer token in the Authorization header.",
			wantHeader: map[string]string{"WWW-Authenticate": "Bearer"},
		},
		{
			// A media type is refused whether a body came or not.
			name:       "a type not taken, with an empty body",
			req:        apitest.Request{Method: "POST", Path: "/players", Header: map[string]string{"Content-Type": "text/plain"}},
			wantStatus: 415, wantType: "/problems/unsupported-media-type",
			wantErrors: map[string]string{"Content-Type": "Content-Type must be application/json"},
		},
		{
			name: "a patch type not taken, with an empty body",
			req: apitest.Request{Method: "PATCH", Path: "/locations/1", Token: admin,
				Header: map[string]string{"Content-Type": "text/plain"}},
			wantStatus: 415, wantType: "/problems/unsupported-media-type",
			wantErrors: map[string]string{"Content-Type": "Content-Type must be application/merge-patch+json"},
			wantHeader: map[string]string{"Accept-Patch": "application/merge-patch+json"},
		},
		{
			name:       "unsupported content type",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `first_name=Hattori`, Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
			wantStatus: 415, wantType: "/problems/unsupported-media-type",
			wantErrors: map[string]string{"Content-Type": "Content-Type must be application/json"},
		},
		{
			name: "JSON where a merge patch is required",
			req: apitest.Request{Method: "PATCH", Path: "/locations/1", Token: admin, Body: `{"max_gold":40}`,
				Header: map[string]string{"Content-Type": "application/json"}},
			wantStatus: 415, wantType: "/problems/unsupported-media-type",
			wantErrors: map[string]string{"Content-Type": "Content-Type must be application/merge-patch+json"},
		},
		{
			name:       "a charset other than UTF-8",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{}`, Header: map[string]string{"Content-Type": "application/json; charset=latin1"}},
			wantStatus: 415, wantType: "/problems/unsupported-media-type",
			wantErrors: map[string]string{"Content-Type": "Content-Type parameters must be well formed, with charset utf-8 if any"},
		},
		{
			name:       "the type taken, a parameter malformed",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{}`, Header: map[string]string{"Content-Type": "Application/JSON; charset"}},
			wantStatus: 415, wantType: "/problems/unsupported-media-type",
			wantErrors: map[string]string{"Content-Type": "Content-Type parameters must be well formed, with charset utf-8 if any"},
		},
		{
			name:       "a type not taken",
			req:        apitest.Request{Method: "POST", Path: "/players", Body: `{}`, Header: map[string]string{"Content-Type": "text/plain; charset"}},
			wantStatus: 415, wantType: "/problems/unsupported-media-type",
			wantErrors: map[string]string{"Content-Type": "Content-Type must be application/json"},
		},
		{
			name:       "not acceptable",
			req:        apitest.Request{Method: "GET", Path: "/players/1", Header: map[string]string{"Accept": "text/html"}},
			wantStatus: 406, wantType: "/problems/not-acceptable",
			wantErrors: map[string]string{"Accept": "Accept must allow application/json"},
		},
		{
			name:       "CSV refused with q=0",
			req:        apitest.Request{Method: "GET", Path: "/locations", Header: map[string]string{"Accept": "text/csv;q=0, application/json;q=0"}},
			wantStatus: 406, wantType: "/problems/not-acceptable",
			wantErrors: map[string]string{"Accept": "Accept must allow one of application/json, text/csv; charset=utf-8"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := apitest.NewServer(t, apitest.Options{})
			resp := s.Do(t, tt.req)
			if resp.Status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", resp.Status, tt.wantStatus, resp.Body)
			}
			p := resp.Problem(t) // as application/problem+json
			if p.Type != tt.wantType || int(p.Status) != tt.wantStatus {
				t.Errorf("type, status = %s, %d; want %s, %d", p.Type, p.Status, tt.wantType, tt.wantStatus)
			}
			if !maps.Equal(p.Errors, tt.wantErrors) {
				t.Errorf("errors = %v, want %v", p.Errors, tt.wantErrors)
			}
			if tt.wantType == "/problems/unauthorized" && p.Detail != tt.wantDetail {
				t.Errorf("detail = %q, want %q", p.Detail, tt.wantDetail)
			}
			if tt.wantType == "/problems/validation-error" {
				want := tt.wantDetail
				if _, whole := tt.wantErrors["body"]; whole && want == "" {
					t.Fatal("the case names an error of the whole body and no wantDetail")
				}
				if want == "" {
					want = "1 field is invalid."
					if n := len(tt.wantErrors); n != 1 {
						want = strconv.Itoa(n) + " fields are invalid."
					}
				}
				if p.Detail != want {
					t.Errorf("detail = %q, want %q", p.Detail, want)
				}
			}
			for h, want := range tt.wantHeader {
				if got := resp.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
		})
	}
}
