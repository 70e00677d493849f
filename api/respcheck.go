package api

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/ninjagold/ninjagold-api/internal/contract"
)

// ViolationMessage is the log message of a response that breaks the
// contract in ValidateResponses mode.
const ViolationMessage = "response breaks the contract"

// responseChecker checks every outgoing response against the contract and
// logs each violation. It is a development aid: it copies every body, so it
// is off by default (see docs/benchmarks-history.md for its cost).
type responseChecker struct {
	doc *openapi3.T
	log *slog.Logger
}

// teeWriter keeps a copy of what the handlers write, and whether a write
// failed (the client went away: what it kept is no response to check).
type teeWriter struct {
	gin.ResponseWriter
	body   bytes.Buffer
	failed bool
}

func (w *teeWriter) Write(b []byte) (int, error) {
	w.body.Write(b)
	n, err := w.ResponseWriter.Write(b)
	w.failed = w.failed || err != nil
	return n, err
}

func (w *teeWriter) WriteString(s string) (int, error) {
	w.body.WriteString(s)
	n, err := w.ResponseWriter.WriteString(s)
	w.failed = w.failed || err != nil
	return n, err
}

func (rc responseChecker) handle(c *gin.Context, op *operation) {
	tw := &teeWriter{ResponseWriter: c.Writer}
	c.Writer = tw
	c.Next()
	c.Writer = tw.ResponseWriter
	if tw.failed {
		return // the error responder has logged it
	}

	resp := contract.Response{Status: tw.Status(), Header: tw.Header(), Body: tw.body.Bytes(),
		Head: c.Request.Method == http.MethodHead}
	var (
		operation = c.Request.Method + " " + c.FullPath()
		err       error
	)
	if op != nil {
		operation = op.route.Operation.OperationID
		err = contract.Check(c.Request, op.route, pathParams(c), resp)
	} else if isServerOptions(c.Request) {
		if resp.Status != http.StatusOK || len(resp.Body) > 0 {
			err = fmt.Errorf("OPTIONS * answered %d with %d bytes; the contract gives it an empty 200", resp.Status, len(resp.Body))
		}
	} else if resp.Status == http.StatusMethodNotAllowed {
		err = contract.CheckUndeclared(rc.doc, resp, http.StatusMethodNotAllowed, "MethodNotAllowed")
	} else {
		err = contract.CheckUndeclared(rc.doc, resp, http.StatusNotFound, "NotFound")
	}
	if err != nil {
		rc.log.WarnContext(c.Request.Context(), ViolationMessage,
			"operation", operation, "method", c.Request.Method, "path", c.Request.URL.Path,
			"status", resp.Status, "reason", err.Error(), "request_id", requestID(c))
	}
}
