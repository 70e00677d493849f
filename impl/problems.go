package impl

import (
	"bytes"
	"context"
	"fmt"
	"html"
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
// RFC 9457 asks that a type which can be dereferenced lead to
// documentation for people; this is it, from the one source of truth:
// each problem response of the contract (components.responses) with the
// type of its example, its title, its status and its description.
func problemPages(spec *openapi3.T) map[string][]byte {
	titles := map[string]string{}
	answers := map[string][]problemAnswer{}
	for _, ref := range spec.Components.Responses {
		if ref == nil || ref.Value == nil || ref.Value.Description == nil {
			continue
		}
		mt := ref.Value.Content.Get("application/problem+json")
		if mt == nil {
			continue
		}
		example, _ := mt.Example.(map[string]any)
		typ, _ := example["type"].(string)
		name, ok := strings.CutPrefix(typ, problemTypePrefix)
		status, isNumber := example["status"].(float64)
		title, _ := example["title"].(string)
		if !ok || name == "" || !isNumber || title == "" {
			continue
		}
		titles[name] = title
		a := problemAnswer{status: int(status), description: strings.TrimSpace(*ref.Value.Description)}
		if !slices.Contains(answers[name], a) {
			answers[name] = append(answers[name], a)
		}
	}
	pages := make(map[string][]byte, len(answers))
	for name, as := range answers {
		slices.SortFunc(as, func(a, b problemAnswer) int {
			if a.status != b.status {
				return a.status - b.status
			}
			return strings.Compare(a.description, b.description)
		})
		pages[name] = problemPage(name, titles[name], as)
	}
	return pages
}

// problemPage is the HTML page of the problem type name.
func problemPage(name, title string, answers []problemAnswer) []byte {
	var statuses []string
	for _, a := range answers {
		if s := strconv.Itoa(a.status); !slices.Contains(statuses, s) {
			statuses = append(statuses, s)
		}
	}
	var b bytes.Buffer
	e := html.EscapeString
	fmt.Fprintf(&b, "<!doctype html>\n<html lang=\"en\">\n<meta charset=\"utf-8\">\n<title>%s (%s%s)</title>\n", e(title), problemTypePrefix, e(name))
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p>The problem type <code>%s%s</code>, answered with status %s.</p>\n<dl>\n",
		e(title), problemTypePrefix, e(name), strings.Join(statuses, ", "))
	for _, a := range answers {
		fmt.Fprintf(&b, "<dt>%d</dt>\n<dd>%s</dd>\n", a.status, e(a.description))
	}
	b.WriteString("</dl>\n<p>Tell problems apart by <code>type</code> and <code>status</code>; the <code>errors</code> member names each field at fault. " +
		"The whole contract: <a href=\"/docs\">/docs</a>, <a href=\"/openapi.yaml\">/openapi.yaml</a>.</p>\n</html>\n")
	return b.Bytes()
}
