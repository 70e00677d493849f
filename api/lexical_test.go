package api

import (
	"maps"
	"testing"
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
		{"the first problem names the body message", "{\"a\\ud800\":\"\xff\"}",
			map[string]string{"body": "request body" + surMsg}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lexicalErrors([]byte(tt.body)); !maps.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("lexicalErrors(%q) = %v, want %v", tt.body, got, tt.want)
			}
		})
	}
}
