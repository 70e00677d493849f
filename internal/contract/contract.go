// Package contract checks responses against openapi.yaml. The test harness
// uses it on every response a test receives, and the server uses it at run
// time in --validate-responses mode, so both hold responses to the same
// rules: the status is declared for the operation, required headers are
// present and valid, no header is sent that the response does not declare,
// the media type is declared, the body matches its schema (decompressed,
// when it came gzip-compressed), a response that
// declares no content has none, and the answer to a HEAD has no body.
package contract

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Response is one response to check.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Head marks the answer to a HEAD request: the headers of the GET twin's
	// answer, Content-Type included, and no body.
	Head bool
}

// kin-openapi decodes JSON, CSV and a few others; the contract's other
// media types are declared as plain strings (or binary, for images), so
// they are checked as such.
func init() {
	for _, mt := range []string{"application/yaml", "text/html", "text/css", "text/javascript"} {
		openapi3filter.RegisterBodyDecoder(mt, stringDecoder)
	}
	openapi3filter.RegisterBodyDecoder("image/png", openapi3filter.FileBodyDecoder)
}

func stringDecoder(body io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	b, err := io.ReadAll(body)
	return string(b), err
}

// Values are left out of error messages: a response body may carry a
// player's token, and the messages reach logs.
var checkOptions = &openapi3filter.Options{
	IncludeResponseStatus:   true,
	MultiError:              true,
	SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
}

// Check validates resp, the answer to req, against route, the operation
// req was routed to, with its path parameters.
func Check(req *http.Request, route *routers.Route, params map[string]string, resp Response) error {
	resp.Header = canonical(resp.Header)
	declared := route.Operation.Responses.Status(resp.Status)
	if declared == nil || declared.Value == nil {
		return fmt.Errorf("status %d is not declared for %s", resp.Status, route.Operation.OperationID)
	}
	if resp.Head {
		if err := checkHeadTwin(route, resp); err != nil {
			return err
		}
	} else if err := checkDeclaredHeaders(declared.Value, resp.Header); err != nil {
		return err
	} else if skipsHeaders[resp.Status] {
		if err := checkHeaderValues(route.Spec, declared, resp.Header); err != nil {
			return err
		}
	} else if err := checkRequiredHeaders(declared.Value, resp.Header); err != nil {
		return err // kin-openapi's check, below, takes an empty one for one
	}
	// A HEAD answer declares no content but carries its GET twin's
	// Content-Type.
	if len(declared.Value.Content) == 0 && (len(resp.Body) > 0 || resp.Header.Get("Content-Type") != "" && !resp.Head) {
		return fmt.Errorf("status %d declares no content, got %q with %d bytes",
			resp.Status, resp.Header.Get("Content-Type"), len(resp.Body))
	}
	// The schema describes the representation, under its content coding.
	body := resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" && !resp.Head {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err == nil {
			body, err = io.ReadAll(zr)
		}
		if err != nil {
			return fmt.Errorf("Content-Encoding gzip, but the body does not decompress: %w", err)
		}
	}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status:  resp.Status,
		Header:  resp.Header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: checkOptions,
	})
}

// skipsHeaders are the statuses whose headers kin-openapi's ValidateResponse
// does not look at (it skips the whole response), so Check does.
var skipsHeaders = map[int]bool{
	http.StatusNotModified: true, http.StatusMovedPermanently: true,
	http.StatusTemporaryRedirect: true, http.StatusPermanentRedirect: true,
}

// checkHeaderValues holds h to declared's headers as kin-openapi holds a
// response's: each required one present, each value to its schema. It is
// for the answers ValidateResponse passes without looking (a HEAD, a 304
// and the redirects), and for those of undeclared routes: declared is
// checked as a 200 of a made-up GET, with no body.
func checkHeaderValues(doc *openapi3.T, declared *openapi3.ResponseRef, h http.Header) error {
	if err := checkRequiredHeaders(declared.Value, h); err != nil {
		return err
	}
	op := &openapi3.Operation{Responses: openapi3.NewResponses(openapi3.WithStatus(http.StatusOK, declared))}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Header: http.Header{}},
			Route:   &routers.Route{Spec: doc, Path: "/", Method: http.MethodGet, Operation: op},
		},
		Status:  http.StatusOK,
		Header:  h,
		Body:    io.NopCloser(bytes.NewReader(nil)),
		Options: headerCheckOptions,
	})
}

// checkRequiredHeaders refuses a required header that is missing or empty:
// an empty value is no value, where kin-openapi would take it for one.
func checkRequiredHeaders(declared *openapi3.Response, h http.Header) error {
	for _, name := range slices.Sorted(maps.Keys(declared.Headers)) {
		if declared.Headers[name].Value.Required && h.Get(name) == "" {
			return fmt.Errorf("required header %s is missing", name)
		}
	}
	return nil
}

// headerCheckOptions are checkOptions without the body.
var headerCheckOptions = &openapi3filter.Options{
	IncludeResponseStatus:   true,
	MultiError:              true,
	ExcludeResponseBody:     true,
	SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableSchemaErrorDetails()},
}

// canonical is h with its names as net/http writes them, the form every
// check looks them up in; a header built by hand may not spell them so.
func canonical(h http.Header) http.Header {
	for name := range h {
		if http.CanonicalHeaderKey(name) != name {
			c := make(http.Header, len(h))
			for name, values := range h {
				key := http.CanonicalHeaderKey(name)
				c[key] = append(c[key], values...)
			}
			return c
		}
	}
	return h
}

// protocolHeaders are the response headers no operation declares: the
// media type (OpenAPI ignores a Content-Type header definition) and those
// HTTP itself sends.
var protocolHeaders = map[string]bool{
	"Content-Type": true, "Content-Length": true, "Date": true,
	"Transfer-Encoding": true, "Connection": true,
}

// checkDeclaredHeaders refuses a header the response does not declare: a
// client generated from the contract knows only those, and a header sent
// on some answers and declared on none is a promise nobody wrote down.
func checkDeclaredHeaders(declared *openapi3.Response, h http.Header) error {
	for name := range h {
		if protocolHeaders[name] {
			continue
		}
		found := false
		for d := range declared.Headers {
			if http.CanonicalHeaderKey(d) == name {
				found = true
				break
			}
		}
		if !found {
			return fmt.Errorf("header %s is not declared for this response", name)
		}
	}
	return nil
}

// checkHeadTwin checks what the HEAD operation cannot declare: no body,
// its GET twin's headers, and the Content-Type its GET twin declares for
// the status.
func checkHeadTwin(route *routers.Route, resp Response) error {
	if len(resp.Body) > 0 {
		return fmt.Errorf("the answer to HEAD has a body of %d bytes", len(resp.Body))
	}
	get := route.PathItem.Get
	if get == nil {
		return fmt.Errorf("HEAD %s has no GET twin", route.Path)
	}
	declared := get.Responses.Status(resp.Status)
	if declared == nil || declared.Value == nil {
		return fmt.Errorf("status %d is not declared for %s, the GET twin of %s",
			resp.Status, get.OperationID, route.Operation.OperationID)
	}
	if err := checkDeclaredHeaders(declared.Value, resp.Header); err != nil {
		return err
	}
	ct := resp.Header.Get("Content-Type")
	switch content := declared.Value.Content; {
	case len(content) == 0 && ct != "":
		return fmt.Errorf("status %d of %s declares no content, got Content-Type %q", resp.Status, get.OperationID, ct)
	case len(content) > 0 && content.Get(ct) == nil:
		return fmt.Errorf("Content-Type %q is not declared for status %d of %s", ct, resp.Status, get.OperationID)
	}
	return checkHeaderValues(route.Spec, declared, resp.Header)
}

// CheckUndeclared validates the answer to a path or method no operation
// declares: it must be the given status with the response component that
// openapi.yaml declares for it (NotFound, MethodNotAllowed).
func CheckUndeclared(doc *openapi3.T, resp Response, status int, component string) error {
	resp.Header = canonical(resp.Header)
	if resp.Status != status {
		return fmt.Errorf("an undeclared route must answer %d, got %d", status, resp.Status)
	}
	comp := doc.Components.Responses[component]
	if comp == nil || comp.Value == nil {
		return fmt.Errorf("components.responses.%s is missing", component)
	}
	if err := checkDeclaredHeaders(comp.Value, resp.Header); err != nil {
		return err
	}
	if err := checkHeaderValues(doc, comp, resp.Header); err != nil {
		return err
	}
	ct := resp.Header.Get("Content-Type")
	mt := comp.Value.Content.Get(ct)
	if mt == nil {
		return fmt.Errorf("Content-Type %q is not declared by %s", ct, component)
	}
	if resp.Head {
		if len(resp.Body) > 0 {
			return fmt.Errorf("the answer to HEAD has a body of %d bytes", len(resp.Body))
		}
		return nil
	}
	var v any
	if err := json.Unmarshal(resp.Body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	return mt.Schema.Value.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors(), openapi3.DisableSchemaErrorDetails())
}
