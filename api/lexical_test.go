package api

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// The limits of field-by-field naming the contract's overview states
// ("more than 16 such fields, or a path of more than 32 members or 256
// bytes"), written out rather than taken from lexical.go's constants, so
// that the tests hold the code to the contract.
const (
	contractMaxFields    = 16
	contractMaxDepth     = 32
	contractMaxPathBytes = 256
)

func TestLexicalErrors(t *testing.T) {
	const (
		utf8Msg = " must be valid UTF-8"
		surMsg  = " must be valid Unicode: it escapes half of a surrogate pair"
	)
	tests := []struct {
		name string
		body string
		want map[string]string // nil: nothing wrong
	}{
		{"plain text", `{"first_name":"Hattori","last_name":"Hanzō"}`, nil},
		{"a surrogate pair", `{"first_name":"Ha\ud83e\udd77ttori"}`, nil},
		{"an escaped backslash before u", `{"first_name":"Ha\\ud800"}`, nil},
		{"not JSON, but every character named", `{"first_name":`, nil},
		{"a backslash before a character that is not ASCII", `{"a":"\é","b":"\u0041"}`, nil},

		{"invalid UTF-8 in a member", "{\"first_name\":\"Ha\xfftori\",\"last_name\":\"Hanzo\"}",
			map[string]string{"first_name": "first name" + utf8Msg}},
		{"a lone surrogate in a member", `{"first_name":"Hattori","last_name":"Han\udc00zo"}`,
			map[string]string{"last_name": "last name" + surMsg}},
		{"one of each in two members", "{\"first_name\":\"\\ud800\",\"min_gold\":1,\"last_name\":\"\xc3\"}",
			map[string]string{"first_name": "first name" + surMsg, "last_name": "last name" + utf8Msg}},
		{"two in one member: the first is named", "{\"first_name\":\"\\udfff\xff\"}",
			map[string]string{"first_name": "first name" + surMsg}},
		{"a nested member", `{"address":{"zip":1,"city":"\ud800"},"x":[1]}`,
			map[string]string{"address.city": "city" + surMsg}},
		{"after a nested object closes", `{"address":{"city":"Iga"},"last_name":"\ud800"}`,
			map[string]string{"last_name": "last name" + surMsg}},
		{"an array element", `{"tags":["a",{"b":2},"\ud800"]}`,
			map[string]string{"tags.2": "2" + surMsg}},
		{"after an empty object and array", `{"a":{},"b":[],"c":"\ud800"}`,
			map[string]string{"c": "c" + surMsg}},
		{"a member after broken JSON text", "{\"first_name\":\"Ha\xfftori\",,}",
			map[string]string{"first_name": "first name" + utf8Msg}},
		{"after a number too big for a float64", `{"min_gold":1e400,"name":"Do\ud800jo","max_gold":-1e309}`,
			map[string]string{"name": "name" + surMsg}},
		{"a member nested in one named body", `{"body":{"body":"\ud800"}}`,
			map[string]string{"body.body": "body" + surMsg}},
		{"beside containers deeper than the limit", `{"first_name":"Ha\ud800ttori","x":` + strings.Repeat("[", 2*contractMaxDepth) + strings.Repeat("]", 2*contractMaxDepth) + `,"y":{"z":"\udc00"}}`,
			map[string]string{"first_name": "first name" + surMsg, "y.z": "z" + surMsg}},
		{"a key as long as the limit", `{"` + strings.Repeat("n", contractMaxPathBytes) + `":"\ud800"}`,
			// The message names it as every made-up name is named: quoted,
			// cut at maxLabel characters.
			map[string]string{strings.Repeat("n", contractMaxPathBytes): `"` + strings.Repeat("n", maxLabel) + `…"` + surMsg}},
		{"an escaped backslash before a character that is not ASCII", `{"a":"\\é\ud800"}`,
			map[string]string{"a": "a" + surMsg}},
		{"at the depth limit", strings.Repeat(`{"a":`, contractMaxDepth) + `"\ud800"` + strings.Repeat("}", contractMaxDepth),
			map[string]string{strings.TrimSuffix(strings.Repeat("a.", contractMaxDepth), "."): "a" + surMsg}},
		{"as many fields as the limit", manyBadMembers(contractMaxFields), fieldsNamed(contractMaxFields, surMsg)},

		{"in a member name", `{"first\ud800name":"Hattori"}`,
			map[string]string{"body": "request body" + surMsg}},
		{"in a member name after a member value", `{"a":"\ud800","b\ud800":1}`,
			map[string]string{"body": "request body" + surMsg}},
		{"the body is a string", `"\ud800"`,
			map[string]string{"body": "request body" + surMsg}},
		{"between members", "{\"first_name\":\"Hattori\",\xff\"last_name\":\"Hanzo\"}",
			map[string]string{"body": "request body" + utf8Msg}},
		{"after broken JSON text", `{"first_name":,"last_name":"\ud800"}`,
			map[string]string{"body": "request body" + surMsg}},
		{"in a second document", `{"first_name":"Hattori"} {"last_name":"\ud800"}`,
			map[string]string{"body": "request body" + surMsg}},
		{"in a member, and in text after the document", `{"first_name":"\ud800"} "\ud800"`,
			map[string]string{"body": "request body" + surMsg}},
		{"in a document after a number", `1 {"first_name":"\ud800"}`,
			map[string]string{"body": "request body" + surMsg}},
		{"in an array at the top", `["\ud800"]`,
			map[string]string{"body": "request body" + surMsg}},
		{"in an object in an array at the top", `[{"first_name":"\ud800"}]`,
			map[string]string{"body": "request body" + surMsg}},
		{"in a member named by nothing", `{"":"\ud800"}`,
			map[string]string{"body": "request body" + surMsg}},
		{"in a member named by a dot", `{".":"\ud800","a":1}`,
			map[string]string{"body": "request body" + surMsg}},
		{"in a member whose name holds a dot", "{\"a.b\":\"\xff\"}",
			map[string]string{"body": "request body" + utf8Msg}},
		{"in a member inside one whose name holds a dot", `{"a.":{"b":"\ud800"}}`,
			map[string]string{"body": "request body" + surMsg}},
		{"in a member with a dotted name inside a plain one", `{"a":{"b.c":"\ud800"}}`,
			map[string]string{"body": "request body" + surMsg}},
		{"a dotted name holding good text beside a plain bad one", `{"a.b":"ok","c":"\ud800"}`,
			map[string]string{"c": "c" + surMsg}},
		{"in a member inside one named by nothing", `{"":{"a":"\ud800"}}`,
			map[string]string{"body": "request body" + surMsg}},
		{"in a member named body", `{"body":"\ud800","first_name":"H"}`,
			map[string]string{"body": "request body" + surMsg}},
		{"inside containers deeper than the limit", `{"x":` + strings.Repeat("[", contractMaxDepth) + `"\ud800"` + strings.Repeat("]", contractMaxDepth) + `}`,
			map[string]string{"body": "request body" + surMsg}},
		{"a key longer than the limit", `{"` + strings.Repeat("n", contractMaxPathBytes+1) + `":"\ud800"}`,
			map[string]string{"body": "request body" + surMsg}},
		{"a path longer than the limit", `{"` + strings.Repeat("n", contractMaxPathBytes/2+1) + `":{"` + strings.Repeat("m", contractMaxPathBytes/2) + `":"\ud800"}}`,
			map[string]string{"body": "request body" + surMsg}},
		{"invalid UTF-8 escaped by a backslash", "{\"a\":\"\\\xff\"}",
			map[string]string{"body": "request body" + utf8Msg}},
		{"past the depth limit", strings.Repeat(`{"a":`, contractMaxDepth+1) + `"\ud800"` + strings.Repeat("}", contractMaxDepth+1),
			map[string]string{"body": "request body" + surMsg}},
		{"more fields than the limit", manyBadMembers(contractMaxFields + 1),
			map[string]string{"body": "request body" + surMsg}},
		{"the first problem names the body message", "{\"a\\ud800\":\"\xff\"}",
			map[string]string{"body": "request body" + surMsg}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, whole := lexicalErrors([]byte(tt.body))
			wantWhole := strings.HasPrefix(tt.want[bodyKey], "request body")
			if !maps.Equal(got, tt.want) || (got == nil) != (tt.want == nil) || whole != wantWhole {
				t.Errorf("lexicalErrors(%q) = %v, %v; want %v", tt.body, got, whole, tt.want)
			}
		})
	}
}

// manyBadMembers is an object of n members whose values escape half a
// surrogate pair.
func manyBadMembers(n int) string {
	members := make([]string, n)
	for i := range members {
		members[i] = fmt.Sprintf(`"f%d":"\ud800"`, i)
	}
	return "{" + strings.Join(members, ",") + "}"
}

func fieldsNamed(n int, msg string) map[string]string {
	fields := map[string]string{}
	for i := range n {
		fields[fmt.Sprintf("f%d", i)] = fmt.Sprintf("f%d", i) + msg
	}
	return fields
}

// A body built to make the report large or slow gets one message for the
// whole body: bad text all through one deeply nested value, or in each of
// many values, deeply nested or not, up to the largest body the server
// reads.
func TestLexicalErrorsOfHostileBodies(t *testing.T) {
	const depth = 5000 // below encoding/json's own limit
	n := DefaultMaxBodyBytes
	open, closing := `{"a":`+strings.Repeat("[", depth), strings.Repeat("]", depth)+"}"
	var many strings.Builder
	many.WriteString("{")
	for i := 0; many.Len() < n-64; i++ {
		fmt.Fprintf(&many, "\"f%d\":{\"b\":\"\xff\"},", i)
	}
	many.WriteString(`"c":1}`)
	tests := []struct {
		name string
		body string
		msg  string
	}{
		{"one deep value full of bad bytes",
			open + `"` + strings.Repeat("\xff", n-2*depth-16) + `"` + closing, "request body must be valid UTF-8"},
		{"many deep values",
			open + strings.Repeat(`"\ud800",`, (n-2*depth-16)/9) + `"x"` + closing, "request body must be valid Unicode: it escapes half of a surrogate pair"},
		{"many values", many.String(), "request body must be valid UTF-8"},
		{"many values under a long name",
			`{"` + strings.Repeat("n", n/2) + `":{` + strings.Repeat(`"a":"\ud800",`, (n/2-64)/13) + `"b":1}}`, "request body must be valid Unicode: it escapes half of a surrogate pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.body) > n {
				t.Fatalf("the body is %d bytes, more than the server reads", len(tt.body))
			}
			got, whole := lexicalErrors([]byte(tt.body))
			if want := map[string]string{bodyKey: tt.msg}; !whole || !maps.Equal(got, want) {
				t.Errorf("got %d fields (whole %v), want %v", len(got), whole, want)
			}
		})
	}
}

// FuzzLexicalErrors checks what any body must get: a report exactly when
// some text names no character; one message for the whole body, or up to
// contractMaxFields fields no deeper than contractMaxDepth, each worded for
// its field. `make fuzz` runs it; go test runs the seeds.
func FuzzLexicalErrors(f *testing.F) {
	for _, seed := range []string{
		`{"first_name":"Ha\ud800ttori","last_name":"Hanzo"}`,
		"{\"a\":{\"b\":[1,\"\xff\",{\"c\":\"\\udc00\"}]},\"d\":\"\\\\ud800\"}",
		`{"":{"a":"\ud800"},"b\ud800":1}`,
		`{".":"\ud800","a.b":{"c":"\ud800"}}`,
		`{"min_gold":1e400,"name":"Do\ud800jo"} 1`,
		`["\ud800"]`,
		"{\"a\":\"\\ud83e\\udd77\",\"b\":\"\xc3\"",
	} {
		f.Add(seed)
	}
	msgs := []string{msgNotUTF8, msgLoneSurrogate}
	f.Fuzz(func(t *testing.T, body string) {
		fields, whole := lexicalErrors([]byte(body))
		if bad := badText([]byte(body)); (bad == "") != (fields == nil) {
			t.Fatalf("%q: badText %q, but fields %v", body, bad, fields)
		}
		if fields == nil {
			return
		}
		if whole {
			if msg := fields[bodyKey]; len(fields) != 1 || !slices.Contains(msgs, strings.TrimPrefix(msg, "request body")) {
				t.Fatalf("%q: whole, but %v", body, fields)
			}
			return
		}
		if len(fields) > contractMaxFields {
			t.Fatalf("%q: %d fields", body, len(fields))
		}
		for key, msg := range fields {
			path := strings.Split(key, ".")
			last := path[len(path)-1]
			// An array's element is labelled by its index, a member by
			// its name (quoted unless a snake_case word): the key alone
			// does not tell "0", a member, from 0, an element.
			worded := slices.Contains(msgs, strings.TrimPrefix(msg, memberLabel(last))) ||
				isIndex(last) && slices.Contains(msgs, strings.TrimPrefix(msg, label(last)))
			if len(path) > contractMaxDepth || len(key) > contractMaxPathBytes+contractMaxDepth || slices.Contains(path, "") ||
				key == bodyKey || !worded {
				t.Fatalf("%q: field %q: %q", body, key, msg)
			}
		}
	})
}

// isIndex says a key's segment may be an array element's index: digits.
func isIndex(segment string) bool {
	return segment != "" && strings.Trim(segment, "0123456789") == ""
}
