package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// HEAD is GET without the body (RFC 9110 §9.3.2). The contract declares a
// HEAD twin for every GET; the generated server leaves them out
// (api/oapi-codegen.yaml), and routes serves each with its GET twin's
// handler, bound to the HEAD operation: the validator holds the request to
// the HEAD operation, the access log and metrics name it, and headOnly keeps
// the body from the client. One handler for both methods means the two
// cannot drift apart. (Strict middlewares, below the router, see the GET's
// operation name: they run inside the GET's handler.)

// headOnly answers a HEAD request with the status and headers the handlers
// produce and none of the body. It runs early in every chain (only the
// response checker is outside it), so problems the middleware writes, a 404
// and a 405 lose their body too. Other methods pass straight through.
func headOnly(c *gin.Context, _ *operation) {
	if c.Request.Method != http.MethodHead {
		return
	}
	w := &headWriter{ResponseWriter: c.Writer}
	c.Writer = w
	defer func() { c.Writer = w.ResponseWriter }()
	c.Next()
	if w.ResponseWriter.Written() {
		return // the headers are out (a handler flushed)
	}
	if w.n == 0 {
		// net/http gives a finished GET with an empty body that could have
		// had one "Content-Length: 0"; a HEAD it leaves without.
		if status := w.Status(); status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified &&
			w.Header().Get("Content-Length") == "" {
			w.Header()["Content-Length"] = []string{"0"}
		}
		return
	}
	// The Content-Length the GET would carry, unless the handler set one.
	if w.Header().Get("Content-Length") == "" {
		w.Header()["Content-Length"] = []string{strconv.Itoa(w.n)}
	}
	// Send the headers now: the response has begun, as the GET's has, and
	// Gin must not add its own text/plain body to a 404 or 405.
	w.ResponseWriter.WriteHeaderNow()
}

// headWriter counts the body instead of sending it. Once the handlers have
// "written" some, the response counts as begun, as it would for the GET:
// a later status change is ignored, and error handlers that look at
// Written() append nothing.
type headWriter struct {
	gin.ResponseWriter
	n int // bytes of body kept back
}

func (w *headWriter) Write(b []byte) (int, error) {
	w.n += len(b)
	return len(b), nil
}

func (w *headWriter) WriteString(s string) (int, error) {
	w.n += len(s)
	return len(s), nil
}

func (w *headWriter) WriteHeader(code int) {
	if !w.Written() {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *headWriter) Written() bool { return w.n > 0 || w.ResponseWriter.Written() }
