package impl

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
)

// problemPageCSP is the page's Content-Security-Policy: it loads nothing,
// runs nothing and is framed nowhere.
const problemPageCSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// problemTypePrefix begins the type of every problem the API answers.
const problemTypePrefix = "/problems/"

func (s *Server) GetProblemType(ctx context.Context, req generated.GetProblemTypeRequestObject) (generated.GetProblemTypeResponseObject, error) {
	page, ok := s.problemPages[req.Problem]
	if !ok {
		return nil, game.Errorf(game.ENOTFOUND, "Nothing exists at %s%s.", problemTypePrefix, req.Problem)
	}
	tag := s.tags.of(problemTypePrefix+req.Problem, page)
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, tag); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetProblemType304Response{Headers: generated.GetProblemType304ResponseHeaders{ETag: tag}}, nil
	}
	return generated.GetProblemType200TexthtmlResponse{
		Body:          bytes.NewReader(page),
		ContentLength: int64(len(page)),
		Headers:       generated.GetProblemType200ResponseHeaders{ContentSecurityPolicy: problemPageCSP, ETag: tag},
	}, nil
}

func (s *Server) OptionsProblemType(ctx context.Context, _ generated.OptionsProblemTypeRequestObject) (generated.OptionsProblemTypeResponseObject, error) {
	allow, err := s.allowed("/problems/{problem}")
	if err != nil {
		return nil, err
	}
	return generated.OptionsProblemType204Response{Headers: generated.OptionsProblemType204ResponseHeaders{Allow: allow}}, nil
}

// problemAnswer is one answer of the contract that carries a problem type:
// its status and what the contract says of it.
type problemAnswer struct {
	status      int
	description string
}

// problemPages makes, from the contract, the page of each problem type its
// answers carry, by the type's name (not-found for /problems/not-found).
// RFC 9457 says a type that can be dereferenced should give documentation
// for people; this is it, from the one source of truth: each problem
// response of the contract (components.responses), with the type of its
// example, its title, its status and its description. The responses are
// read in name order, so that a type two of them give different titles
// gets the same page at every start (TestProblemTitlesAgree holds the
// contract to one title a type).
func problemPages(spec *openapi3.T) map[string][]byte {
	titles := map[string]string{}
	answers := map[string][]problemAnswer{}
	for _, key := range slices.Sorted(maps.Keys(spec.Components.Responses)) {
		name, title, a, ok := problemResponse(spec.Components.Responses[key])
		if !ok {
			continue
		}
		if _, seen := titles[name]; !seen {
			titles[name] = title
		}
		if !slices.Contains(answers[name], a) {
			answers[name] = append(answers[name], a)
		}
	}
	pages := make(map[string][]byte, len(answers))
	for name, as := range answers {
		slices.SortStableFunc(as, func(a, b problemAnswer) int { return a.status - b.status })
		pages[name] = problemPage(name, titles[name], as)
	}
	return pages
}

// problemResponse reads a response of the contract that carries a problem:
// the name of its type, its title, and its status and description.
func problemResponse(ref *openapi3.ResponseRef) (name, title string, a problemAnswer, ok bool) {
	if ref == nil || ref.Value == nil || ref.Value.Description == nil {
		return "", "", a, false
	}
	mt := ref.Value.Content.Get("application/problem+json")
	if mt == nil {
		return "", "", a, false
	}
	example, _ := mt.Example.(map[string]any)
	typ, _ := example["type"].(string)
	name, isType := strings.CutPrefix(typ, problemTypePrefix)
	status, isNumber := example["status"].(float64)
	title, _ = example["title"].(string)
	if !isType || name == "" || !isNumber || title == "" {
		return "", "", a, false
	}
	return name, title, problemAnswer{status: int(status), description: strings.TrimSpace(*ref.Value.Description)}, true
}

// problemPage is the HTML page of the problem type name: each status it
// comes with, and what the contract says of each answer of that status.
func problemPage(name, title string, answers []problemAnswer) []byte {
	var statuses []string
	for _, a := range answers {
		if s := strconv.Itoa(a.status); !slices.Contains(statuses, s) {
			statuses = append(statuses, s)
		}
	}
	var b bytes.Buffer
	e := html.EscapeString
	typ := problemTypePrefix + e(name)
	fmt.Fprintf(&b, "<!doctype html>\n<html lang=\"en\">\n<meta charset=\"utf-8\">\n<title>%s: %s</title>\n", typ, e(title))
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p>The problem type <code>%s</code>, answered with status %s.</p>\n<dl>\n",
		e(title), typ, strings.Join(statuses, ", "))
	last := 0
	for _, a := range answers {
		if a.status != last {
			fmt.Fprintf(&b, "<dt>%d</dt>\n", a.status)
			last = a.status
		}
		fmt.Fprintf(&b, "<dd>%s</dd>\n", withCode(e(a.description)))
	}
	b.WriteString("</dl>\n<p>Tell problems apart by <code>type</code> and <code>status</code>; the <code>errors</code> member names each field at fault. " +
		"The whole contract: <a href=\"/docs\">/docs</a>, <a href=\"/openapi.yaml\">/openapi.yaml</a>.</p>\n</html>\n")
	return b.Bytes()
}

// withCode is escaped text, the contract's CommonMark, with each `code
// span` set as <code>; the rest of the markup (little) stays as written.
func withCode(escaped string) string {
	parts := strings.Split(escaped, "`")
	if len(parts)%2 == 0 {
		return escaped // an unpaired backtick: left alone
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 {
			b.WriteString("<code>" + p + "</code>")
		} else {
			b.WriteString(p)
		}
	}
	return b.String()
}
