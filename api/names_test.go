package api_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"unicode"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// The name patterns spell their whitespace and line breaks out instead of
// using \s and ., which Go and ECMA-262 read differently, so a client that
// checks a name with the contract's pattern agrees with the server. Each
// code point is tried at the start, inside and at the end of a name
// against what x-pattern-message promises: no Unicode White_Space (nor
// U+FEFF, which ECMA-262's \s has, nor a joiner, nor a character of the
// BMP that shows as a blank: Other_Default_Ignorable_Code_Point, the blank
// Braille pattern) at either end, and no line
// break, control character (but a tab inside) or format character of the
// BMP (but the zero-width joiner and non-joiner inside) anywhere, as Go's
// unicode tables class them.
func TestNamePatternsSpellOutWhitespace(t *testing.T) {
	spec, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	const lineBreaks = "\n\v\f\r\u0085\u2028\u2029"
	// Every code point up to U+3100 (past U+3000, the last White_Space),
	// then a sample of the rest with U+FEFF.
	var runes []rune
	for r := rune(0); r <= 0x3100; r++ {
		runes = append(runes, r)
	}
	for r := rune(0x3101); r <= unicode.MaxRune; r += 211 {
		if r < 0xD800 || r > 0xDFFF {
			runes = append(runes, r)
		}
	}
	// U+FEFF and the BMP's last format characters, their neighbour, and
	// two astral ones, which the pattern lets through.
	runes = append(runes, 0x3163, 0x3164, 0x3165, 0xFF9F, 0xFFA0, 0xFFA1, 0xFEFF,
		0xFFEF, 0xFFF0, 0xFFF8, 0xFFF9, 0xFFFA, 0xFFFB, 0xFFFC, 0x1D173, 0xE0001)
	for _, name := range []string{"PersonName", "LocationName"} {
		ref := spec.Components.Schemas[name]
		if ref == nil || ref.Value == nil {
			t.Fatalf("components.schemas.%s is missing", name)
		}
		schema := ref.Value
		failures := 0
		for _, r := range runes {
			// Not at either end: White_Space, U+FEFF, the joiners, blanks.
			joiner := r == 0x200C || r == 0x200D
			blank := r <= 0xFFFF && unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) || r == 0x2800
			space := unicode.IsSpace(r) || r == 0xFEFF || joiner || blank
			// Nowhere: a line break, a control character but the tab
			// (NUL included), a format character of the BMP but the joiners.
			nowhere := strings.ContainsRune(lineBreaks, r) || unicode.Is(unicode.Cc, r) && r != '\t' ||
				unicode.Is(unicode.Cf, r) && r <= 0xFFFF && !joiner
			for _, c := range []struct {
				where, v string
				ok       bool
			}{
				{"at the start", string(r) + "ab", !space && !nowhere},
				{"inside", "a" + string(r) + "b", !nowhere},
				{"at the end", "ab" + string(r), !space && !nowhere},
			} {
				if err := schema.VisitJSON(c.v); (err == nil) != c.ok && failures < 10 {
					failures++
					t.Errorf("%s: %U %s: valid = %v, want %v", name, r, c.where, err == nil, c.ok)
				}
			}
		}
	}
}

// Through the server: names the old \S pattern let through.
func TestNamesWithUnicodeWhitespace(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	const msg = "first name must not start or end with whitespace or contain a line break, a control character or an invisible format character"
	tests := []struct {
		name  string
		first string // a JSON string
		ok    bool
	}{
		{"a no-break space first", `"\u00a0Hattori"`, false},
		{"an ideographic space last", `"Hattori\u3000"`, false},
		{"a byte order mark first", `"\ufeffHattori"`, false},
		{"a carriage return inside", `"Hat\rtori"`, false},
		{"a line separator inside", `"Hat\u2028tori"`, false},
		{"a next line inside", `"Hat\u0085tori"`, false},
		{"a no-break space inside", `"Hat\u00a0tori"`, true},
		{"a tab inside", `"Hat\ttori"`, true},
		{"a zero-width space, not White_Space, first", `"\u200bHattori"`, false},
		{"two zero-width spaces alone", `"\u200b\u200b"`, false},
		{"an ANSI escape inside", `"Hat\u001b[31mtori"`, false},
		{"a right-to-left override inside", `"Hat\u202etori"`, false},
		{"a byte order mark inside", `"Hat\ufefftori"`, false},
		{"a soft hyphen inside", `"Hat\u00adtori"`, false},
		{"a DEL inside", `"Hat\u007ftori"`, false},
		{"a combining accent inside", `"Hatto\u0301ri"`, true},
		{"a zero-width non-joiner inside (Persian)", `"\u0645\u06cc\u200c\u0631\u0636\u0627"`, true},
		{"a zero-width joiner inside (an emoji sequence)", `"Ninja \ud83e\udd77\u200d\ud83d\udd25"`, true},
		{"a zero-width joiner last", `"Hattori\u200d"`, false},
		{"letters beyond ASCII", `"Hattöri 半蔵"`, true},
		{"two Hangul fillers alone, blank to the eye", `"\u3164\u3164"`, false},
		{"a blank Braille pattern last", `"Hattori\u2800"`, false},
		{"a combining grapheme joiner first", `"\u034fHattori"`, false},
		{"a Hangul filler inside", `"Hat\u3164tori"`, true},
		{"an emoji with its variation selector last", `"Ninja \u2764\ufe0f"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.Do(t, apitest.Request{Method: "POST", Path: "/players",
				Body: fmt.Sprintf(`{"first_name":%s,"last_name":"Hanzo"}`, tt.first)})
			if tt.ok {
				if resp.Status != 201 {
					t.Fatalf("status %d, want 201; body %s", resp.Status, resp.Body)
				}
				return
			}
			if resp.Status != 400 {
				t.Fatalf("status %d, want 400; body %s", resp.Status, resp.Body)
			}
			if p := resp.Problem(t); p.Errors["first_name"] != msg || len(p.Errors) != 1 {
				t.Errorf("errors = %v, want first_name: %s", p.Errors, msg)
			}
		})
	}
}

// A \u escape of half a surrogate pair names no character: refused, where
// encoding/json would store U+FFFD. A whole pair, or a backslash that is
// itself escaped, is text like any other.
func TestSurrogateEscapes(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	tests := []struct {
		name  string
		first string // JSON text of first_name
		want  string // the stored name; "" for a 400
	}{
		{"a lone high surrogate", `"Ha\ud800ttori"`, ""},
		{"a lone low surrogate", `"Ha\uDC00ttori"`, ""},
		{"a high surrogate at the end", `"Hattori\uD83E"`, ""},
		{"two high surrogates", `"Ha\ud83e\ud83ettori"`, ""},
		{"a pair the wrong way round", `"Ha\udd77\ud83ettori"`, ""},
		{"a pair", `"Ha\ud83e\udd77ttori"`, "Ha🥷ttori"},
		// The ends of each half's range.
		{"a high surrogate before U+E000", `"Ha\udbff\ue000ttori"`, ""},
		{"a high surrogate before U+DBFF", `"Ha\ud800\udbffttori"`, ""},
		{"the lowest low surrogate twice", `"Ha\udc00\udc01ttori"`, ""},
		{"the lowest pair", `"Ha\ud800\udc00ttori"`, "Ha\U00010000ttori"},
		{"the highest pair", `"Ha\udbff\udffdttori"`, "Ha\U0010FFFDttori"},
		{"U+E000 alone", `"Ha\ue000ttori"`, "Ha\ue000ttori"},
		{"an escaped backslash before u", `"Ha\\ud800"`, `Ha\ud800`},
		{"other escapes", `"Ha\u00e9\t\"x\""`, "Haé\t\"x\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.Do(t, apitest.Request{Method: "POST", Path: "/players",
				Body: `{"first_name":` + tt.first + `,"last_name":"Hanzo"}`})
			if tt.want == "" {
				if resp.Status != 400 {
					t.Fatalf("status %d, want 400; body %s", resp.Status, resp.Body)
				}
				want := map[string]string{"first_name": "first name must be valid Unicode: it escapes half of a surrogate pair"}
				if p := resp.Problem(t); !maps.Equal(p.Errors, want) {
					t.Errorf("errors = %v, want %v", p.Errors, want)
				}
				return
			}
			if resp.Status != 201 {
				t.Fatalf("status %d, want 201; body %s", resp.Status, resp.Body)
			}
			var p struct {
				FirstName string `json:"first_name"`
			}
			if err := json.Unmarshal(resp.Body, &p); err != nil || p.FirstName != tt.want {
				t.Errorf("first_name = %q (%v), want %q", p.FirstName, err, tt.want)
			}
		})
	}
}

// Text that names no character is put on the field whose string holds it,
// as a schema violation would be, and nothing is written.
func TestBodyTextThatNamesNoCharacter(t *testing.T) {
	const (
		utf8Msg = " must be valid UTF-8"
		surMsg  = " must be valid Unicode: it escapes half of a surrogate pair"
	)
	s := apitest.NewServer(t, apitest.Options{})
	merge := map[string]string{"Content-Type": "application/merge-patch+json"}
	tests := []struct {
		name string
		req  apitest.Request
		want map[string]string
	}{
		{"invalid UTF-8 in a player's name",
			apitest.Request{Method: "POST", Path: "/players", Body: "{\"first_name\":\"Hattori\",\"last_name\":\"Han\xffzo\"}"},
			map[string]string{"last_name": "last name" + utf8Msg}},
		{"two fields of a new location",
			apitest.Request{Method: "POST", Path: "/locations", Token: admin,
				Body: "{\"name\":\"Do\\udc00jo\",\"min_gold\":1,\"max_gold\":2,\"description\":\"\xc3\"}"},
			map[string]string{"name": "name" + surMsg, "description": "description" + utf8Msg}},
		{"a merge patch",
			apitest.Request{Method: "PATCH", Path: "/locations/1", Token: admin, Header: merge, Body: `{"description":"\ud83e"}`},
			map[string]string{"description": "description" + surMsg}},
		{"a member name",
			apitest.Request{Method: "PATCH", Path: "/locations/1", Token: admin, Header: merge, Body: `{"descr\ud83eiption":"x"}`},
			map[string]string{"body": "request body" + surMsg}},
	}
	before := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.Do(t, tt.req)
			if resp.Status != 400 {
				t.Fatalf("status %d, want 400; body %s", resp.Status, resp.Body)
			}
			if p := resp.Problem(t); !maps.Equal(p.Errors, tt.want) {
				t.Errorf("errors = %v, want %v", p.Errors, tt.want)
			}
		})
	}
	if after := s.Do(t, apitest.Request{Method: "GET", Path: "/locations"}); string(after.Body) != string(before.Body) {
		t.Errorf("locations changed:\nbefore %s\nafter  %s", before.Body, after.Body)
	}
	players := s.Do(t, apitest.Request{Method: "GET", Path: "/players", Token: admin})
	if players.Status != 200 {
		t.Fatalf("GET /players: status %d", players.Status)
	}
	if strings.Contains(string(players.Body), "Hattori") {
		t.Errorf("a player was created: %s", players.Body)
	}
}

// Text that names no character is reported with the body's other faults,
// and wins over them on its own field.
func TestBodyTextThatNamesNoCharacterWithOtherFaults(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	tests := []struct {
		name string
		body string
		want map[string]string
	}{
		{"a missing field", `{"first_name":"Ha\ud800ttori"}`, map[string]string{
			"first_name": "first name must be valid Unicode: it escapes half of a surrogate pair",
			"last_name":  "last name is required",
		}},
		{"the same field too short", `{"first_name":"\ud800","last_name":"Hanzo"}`, map[string]string{
			"first_name": "first name must be valid Unicode: it escapes half of a surrogate pair",
		}},
		{"an unknown field", "{\"first_name\":\"Hattori\",\"last_name\":\"Han\xffzo\",\"rank\":1}", map[string]string{
			"last_name": "last name must be valid UTF-8",
			"rank":      "rank is not allowed",
		}},
		{"a member nested in one named body", `{"body":{"x":"\ud800"},"first_name":"H"}`, map[string]string{
			"body.x":     "x must be valid Unicode: it escapes half of a surrogate pair",
			"body":       "request body has a member that is not allowed",
			"first_name": "first name must be at least 2 characters long",
			"last_name":  "last name is required",
		}},
		{"text that is not JSON after it", "{\"first_name\":\"Ha\xfftori\",,}", map[string]string{
			"first_name": "first name must be valid UTF-8",
			"body":       "request body must be valid JSON",
		}},
		// Cut short inside the string: the text is the body's, and so is
		// the body's being no JSON.
		{"a body cut short inside the string", "{\"first_name\":\"Ha\xfftori", map[string]string{
			"body": "request body must be valid UTF-8; request body must be valid JSON",
		}},
		{"a member given twice", "{\"first_name\":\"Ha\xfftori\",\"first_name\":\"Hattori\",\"last_name\":\"Hanzo\"}", map[string]string{
			"first_name": "first name must be given only once; first name must be valid UTF-8",
		}},
		{"a member not allowed, given twice", "{\"clan\":\"\xff\",\"clan\":1,\"first_name\":\"Hattori\",\"last_name\":\"Hanzo\"}", map[string]string{
			"clan": "clan is not allowed; clan must be given only once; clan must be valid UTF-8",
		}},
		// An array's element is named by its index, as kin-openapi's
		// messages name it, not quoted as a made-up member name.
		{"an array's element", "{\"first_name\":[\"\xff\"],\"last_name\":\"Hanzo\"}", map[string]string{
			"first_name":   "first name must be a string",
			"first_name.0": "0 must be valid UTF-8",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := s.Do(t, apitest.Request{Method: "POST", Path: "/players", Body: tt.body})
			if resp.Status != 400 {
				t.Fatalf("status %d, want 400; body %s", resp.Status, resp.Body)
			}
			if p := resp.Problem(t); !maps.Equal(p.Errors, tt.want) {
				t.Errorf("errors = %v, want %v", p.Errors, tt.want)
			}
		})
	}
}
