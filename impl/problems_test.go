package impl

import (
	"strings"
	"testing"

	ninjagold "github.com/ninjagold/ninjagold-api"
)

// Each problem type has one title in the contract, whichever response
// carries it, so that its page says one thing; and no page shows the
// contract's CommonMark backticks.
func TestProblemTitlesAgree(t *testing.T) {
	spec, err := ninjagold.Spec()
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{}
	for key, ref := range spec.Components.Responses {
		name, title, _, ok := problemResponse(ref)
		if !ok {
			continue
		}
		if first, seen := titles[name]; seen && first != title {
			t.Errorf("%s: the title %q, where another response of /problems/%s says %q", key, title, name, first)
		}
		titles[name] = title
	}
	if len(titles) < 10 {
		t.Fatalf("%d problem types in the contract's responses, want them all", len(titles))
	}
	for name, page := range problemPages(spec) {
		if strings.Contains(string(page), "`") {
			t.Errorf("the page of %s shows a backtick:\n%s", name, page)
		}
	}
}

func TestWithCode(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain", "plain"},
		{"wait `Retry-After` seconds", "wait <code>Retry-After</code> seconds"},
		{"`a` and `b`", "<code>a</code> and <code>b</code>"},
		{"one ` alone", "one ` alone"},
		{"``", "<code></code>"},
	} {
		if got := withCode(tt.in); got != tt.want {
			t.Errorf("withCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A page escapes what the contract's text holds: a < or & in a title or a
// description is text, not markup, and code spans still come out as <code>.
func TestProblemPageEscapes(t *testing.T) {
	page := string(problemPage("x", "a<b", []problemAnswer{{status: 400, description: "1 < 2 & `c`"}}))
	for _, want := range []string{"<title>/problems/x: a&lt;b</title>", "<h1>a&lt;b</h1>", "<dd>1 &lt; 2 &amp; <code>c</code></dd>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
}
