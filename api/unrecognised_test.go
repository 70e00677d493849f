package api

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/gin-gonic/gin"
)

// No request is known to make kin-openapi report an error of a kind the
// messages do not know, so these hand collectFaults such errors directly: the
// client still gets a field message, and the operator a log line naming
// the error, to give it a message of its own.
func TestUnrecognisedValidationErrors(t *testing.T) {
	odd := errors.New("an error of a new kind")
	known := &openapi3.SchemaError{SchemaField: "minLength", Schema: openapi3.NewStringSchema().WithMinLength(2), Reason: "too short"}
	for _, c := range []struct {
		name string
		err  error
		want int // errors kept as unrecognised
	}{
		{"plain error", odd, 1},
		{"request error of no parameter and no body", &openapi3filter.RequestError{Err: odd}, 1},
		{"among known ones", openapi3.MultiError{known, odd, &openapi3filter.RequestError{Err: odd}}, 2},
		{"known only", openapi3.MultiError{known}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := collectFaults(c.err)
			if len(f.unrecognised) != c.want {
				t.Fatalf("unrecognised = %v; want %d of them", f.unrecognised, c.want)
			}
			if c.want > 0 && f.body[bodyKey] == "" {
				t.Errorf("fields %v: no message under %q", f.body, bodyKey)
			}
		})
	}

	t.Run("logged", func(t *testing.T) {
		var buf bytes.Buffer
		v := newValidator("", DefaultMaxBodyBytes)
		v.errs.log = slog.New(slog.NewJSONHandler(&buf, nil))
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("POST", "/players", nil)
		c.Writer.Header().Set("X-Request-ID", "req-46")
		fields := v.fieldErrors(c, openapi3.MultiError{known, odd}).join()
		// The plain message has the lowest priority: it hides no other.
		if got := fields[bodyKey]; got == "" || got == "request is not valid" {
			t.Errorf("fields %v; want the known error's message under %q", fields, bodyKey)
		}
		line := buf.String()
		for _, want := range []string{`"level":"WARN"`, `"err":"an error of a new kind"`, `"request_id":"req-46"`, `"method":"POST"`} {
			if !strings.Contains(line, want) {
				t.Errorf("log %q lacks %s", line, want)
			}
		}
		if n := strings.Count(line, "\n"); n != 1 {
			t.Errorf("%d log lines; want 1 (the known error is not logged): %s", n, line)
		}
	})
}
