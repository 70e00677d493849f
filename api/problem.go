package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
	"github.com/ninjagold/ninjagold-api/internal/uripath"
)

// problemKind is one kind of problem the contract declares: its status,
// its stable type URI and its title.
type problemKind struct {
	status int
	typ    generated.ProblemType
	title  string
}

var (
	kindInvalid          = problemKind{http.StatusBadRequest, "/problems/validation-error", "Your request is not valid."}
	kindUnauthorized     = problemKind{http.StatusUnauthorized, "/problems/unauthorized", "Authentication is required."}
	kindForbidden        = problemKind{http.StatusForbidden, "/problems/forbidden", "You may not do this."}
	kindNotFound         = problemKind{http.StatusNotFound, "/problems/not-found", "Not found."}
	kindMethodNotAllowed = problemKind{http.StatusMethodNotAllowed, "/problems/method-not-allowed", "Method not allowed."}
	kindNotAcceptable    = problemKind{http.StatusNotAcceptable, "/problems/not-acceptable", "Not acceptable."}
	kindPrecondition     = problemKind{http.StatusPreconditionFailed, "/problems/precondition-failed", "Precondition failed."}
	kindTooLarge         = problemKind{http.StatusRequestEntityTooLarge, "/problems/payload-too-large", "Payload too large."}
	kindUnsupportedType  = problemKind{http.StatusUnsupportedMediaType, "/problems/unsupported-media-type", "Unsupported media type."}
	kindKeyReused        = problemKind{http.StatusUnprocessableEntity, "/problems/idempotency-key-reused", "Idempotency key reused."}
	kindRateLimited      = problemKind{http.StatusTooManyRequests, "/problems/rate-limited", "Too many requests."}
	kindHeaderTooLarge   = problemKind{http.StatusRequestHeaderFieldsTooLarge, "/problems/request-header-fields-too-large", "Request header fields too large."}
	kindInternal         = problemKind{http.StatusInternalServerError, "/problems/internal-error", "Internal error."}
	kindUnavailable      = problemKind{http.StatusServiceUnavailable, "/problems/unavailable", "Service unavailable."}
)

// kindOf is the one table from domain error codes to problems. A code not
// in it (EINTERNAL, or one added to game and not here) is the server's
// fault: a 500.
var kindOf = map[game.Code]problemKind{
	game.EINVALID:       kindInvalid,
	game.EUNAUTHORIZED:  kindUnauthorized,
	game.EFORBIDDEN:     kindForbidden,
	game.ENOTFOUND:      kindNotFound,
	game.ENOTACCEPTABLE: kindNotAcceptable,
	game.EKEYREUSED:     kindKeyReused,
	game.EPRECONDITION:  kindPrecondition,
	game.EUNAVAILABLE:   kindUnavailable,
}

const problemContentType = "application/problem+json"

// writeProblem answers the request with a problem and aborts the chain.
// Headers the contract requires for a kind (WWW-Authenticate, Retry-After)
// are set here so no caller can forget them.
func writeProblem(c *gin.Context, kind problemKind, detail string, fields map[string]string) {
	if fields == nil {
		fields = map[string]string{}
	}
	// A problem is no preflight answer (a browser takes only a 2xx for
	// one), and its response declares none of the preflight headers.
	clearPreflight(c.Writer.Header())
	switch kind.status {
	case http.StatusUnauthorized:
		// RFC 6750 §3.1: no error code when no token came, invalid_token
		// when the one that came is not valid here.
		if bearerToken(c.Request) == "" {
			c.Header("WWW-Authenticate", "Bearer")
		} else {
			c.Header("WWW-Authenticate", `Bearer error="invalid_token"`)
		}
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		if c.Writer.Header().Get("Retry-After") == "" {
			c.Header("Retry-After", "1")
		}
	}
	// The instance names this occurrence: the path, and the request id
	// that finds it in the logs.
	instance := echoedPath(c.Request)
	if id := requestID(c); id != "" {
		instance += "#" + id
	}
	c.Render(kind.status, problemRender{generated.Problem{
		Type:     kind.typ,
		Title:    kind.title,
		Status:   int32(kind.status),
		Detail:   detail,
		Instance: &instance,
		Errors:   fields,
	}})
	c.Abort()
}

// echoedPath is the request's path as a problem repeats it, in its
// instance and a 404's detail: escaped as sent (a decoded path could carry
// control or bidi characters into the message), shortened. A path sent
// with a raw [ or ] keeps them in EscapedPath (as browsers leave them); a
// URI reference may not hold them outside a host (RFC 3986), so they are
// escaped here. So are the dots of a dot segment ("." or "..", sent as
// such or as %2E, which the router decodes): the router matches such a
// segment as a segment like any other, where a client resolving the
// instance would remove it (RFC 3986 §5.2.4) and name another path,
// /locations for /locations/../locations.
func echoedPath(r *http.Request) string {
	path := r.URL.EscapedPath()
	if strings.ContainsAny(path, "[]") {
		path = squareBrackets.Replace(path)
	}
	if strings.Contains(path, "/.") {
		path = escapeDotSegments(path)
	}
	return shortened(path)
}

// escapeDotSegments writes each "." or ".." segment of path as "%2E" or
// "%2E%2E".
func escapeDotSegments(path string) string {
	segments := strings.Split(path, "/")
	for i, seg := range segments {
		if seg == "." || seg == ".." {
			segments[i] = strings.Repeat("%2E", len(seg))
		}
	}
	return strings.Join(segments, "/")
}

var squareBrackets = strings.NewReplacer("[", "%5B", "]", "%5D")

// maxEchoed is the most bytes of the request's path a problem repeats, in
// its instance and a 404's detail: a request near the header limit (a
// megabyte of path) would otherwise get it back twice, its 431 too.
const maxEchoed = 512

// shortened is s cut to maxEchoed bytes and "..." when longer, neither in
// a UTF-8 sequence nor in a %XX escape nor between the escapes of one
// UTF-8 sequence, so that it stays valid UTF-8 and, for an escaped path, a
// URI reference that decodes to valid UTF-8 where the path did.
func shortened(s string) string {
	if len(s) <= maxEchoed {
		return s
	}
	cut := maxEchoed
	// Back to the start of the UTF-8 sequence the cut is in: at most
	// three bytes, which also keeps a run of invalid bytes from eating
	// the path.
	for back := 0; back < utf8.UTFMax-1 && !utf8.RuneStart(s[cut]); back++ {
		cut--
	}
	if i := strings.LastIndexByte(s[max(0, cut-2):cut], '%'); i >= 0 {
		cut = max(0, cut-2) + i
	}
	return s[:escapedRuneStart(s, cut)] + "..."
}

// escapedRuneStart is cut, or the start of the %XX escapes of a UTF-8
// sequence that the escapes right before cut begin but do not complete
// (%C3 of %C3%A9, é).
func escapedRuneStart(s string, cut int) int {
	start := cut
	for n := 1; n < utf8.UTFMax && start >= 3 && s[start-3] == '%'; n++ {
		b, ok := uripath.Octet(s[start-2], s[start-1])
		if !ok {
			return cut
		}
		start -= 3
		if !utf8.RuneStart(b) {
			continue // a continuation byte: its lead comes before
		}
		if need := sequenceLen(b); need > n {
			return start
		}
		return cut
	}
	return cut
}

// sequenceLen is the length of the UTF-8 sequence lead begins; 1 for a
// byte that begins none.
func sequenceLen(lead byte) int {
	switch {
	case lead >= 0xF5:
		return 1
	case lead >= 0xF0:
		return 4
	case lead >= 0xE0:
		return 3
	case lead >= 0xC2:
		return 2
	}
	return 1
}

// problemRender writes a Problem as application/problem+json.
type problemRender struct{ p generated.Problem }

func (r problemRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return jsonEncode(w, r.p)
}

func (r problemRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", problemContentType)
}

// connectionClosed is the detail of a request cancelled because its
// connection closed (see handlerError).
const connectionClosed = "The connection closed before the answer, which cancels the request: keep it open until the answer arrives."

// bodyWaitKey keys, in a request's gin.Context, the time its body took to
// arrive, from the start of Config.StoreDeadline: set only with a deadline,
// and only when the body took a tenth of it or more.
const bodyWaitKey = "ninjagold.bodyWait"

// errorResponder turns errors returned by impl into problems.
type errorResponder struct {
	log *slog.Logger
	// deadline is Config.StoreDeadline, for the log of a request that
	// ran out of it.
	deadline time.Duration
}

// handlerError is the strict server's HandlerErrorFunc: the one place a
// domain error becomes an HTTP response.
func (e errorResponder) handlerError(c *gin.Context, err error) {
	var ge *game.Error
	if !errors.As(err, &ge) && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		// A deadline passed: the database did not answer in time, which a
		// client may retry, and the operator hears of. (A *game.Error says
		// more, even when a deadline is behind it, as behind a refused
		// connection.)
		ge = game.NoAnswer(err)
		if e.deadline > 0 && errors.Is(err, context.DeadlineExceeded) {
			ge.Err = fmt.Errorf("no answer within the request's deadline (%v): %w", e.deadline, err)
		}
		if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
			// The request's own context ended: net/http ends it when the
			// connection closes, and a client that only shut down its
			// sending side (nc -N, socat) looks the same to it as one
			// that left. Such a client reads this answer, so it says so;
			// it is the client's doing, so nothing is logged.
			ge.Message, ge.Err = connectionClosed, nil
		}
		err = ge
	}
	if wait, ok := c.Get(bodyWaitKey); ok && ge != nil && errors.Is(ge.Err, context.DeadlineExceeded) {
		// A slow upload spent part of the deadline before the database
		// was asked, whichever wait then ran out of it (a *game.Error's
		// too: the wait for a player's turn).
		note := *ge
		note.Err = fmt.Errorf("%w; the request's body had taken %v of the request's deadline (%v) to arrive",
			ge.Err, wait.(time.Duration).Round(time.Millisecond), e.deadline)
		ge, err = &note, &note
	}
	if ge == nil {
		e.internal(c, err)
		return
	}
	code := ge.Code
	kind, ok := kindOf[code]
	if !ok {
		e.internal(c, err)
		return
	}
	if code == game.EUNAVAILABLE && ge.Err != nil {
		// The client hears "cannot be reached"; the operator needs why (a
		// read-only file, a full disk, a refused connection), and what the
		// client was told (a write that may have been applied).
		e.logError(c, slog.LevelWarn, "database unavailable", ge.Err, "detail", ge.Message)
	}
	if code == game.EPRECONDITION && ge.ETag != "" {
		c.Header("ETag", ge.ETag)
	}
	detail := ge.Message
	if code == game.EINVALID {
		detail = invalidDetail(ge.Fields)
	}
	writeProblem(c, kind, detail, ge.Fields)
}

// requestError is the strict server's RequestErrorHandlerFunc: the body
// passed validation but could not be bound to the generated type. The
// validator refuses, before binding, every integer a generated field cannot
// hold (see wholeNumbers), so no input is known to get here. Should one,
// a json.UnmarshalTypeError that names its field is told as that field
// out of range; anything else is answered as a body of the wrong shape,
// and logged.
func (e errorResponder) requestError(c *gin.Context, err error) {
	fields := map[string]string{bodyKey: "request body must be a valid JSON document of the declared shape"}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) && ute.Field != "" {
		name := ute.Field[strings.LastIndexByte(ute.Field, '.')+1:]
		fields = map[string]string{ute.Field: label(name) + " is out of range"}
	} else {
		// No input is known to get here: the contract let the body through
		// and the generated types could not take it, which the operator
		// must hear of, to mend one or the other.
		e.logError(c, slog.LevelWarn, "a request body that passed validation could not be bound", err)
	}
	writeInvalid(c, fields)
}

// internal logs err and answers 500 without disclosing anything about it.
func (e errorResponder) internal(c *gin.Context, err error) {
	if c.Writer.Written() {
		// The status line is out (writing the body failed, or a panic came
		// after it): nothing can be answered any more, and a client that
		// hung up mid-response is no server error.
		if c.Request.Context().Err() != nil || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) {
			e.logError(c, slog.LevelInfo, "client went away", err)
		} else {
			e.logError(c, slog.LevelError, "internal error after the response began", err)
		}
		c.Abort()
		return
	}
	e.logError(c, slog.LevelError, "internal error", err)
	writeProblem(c, kindInternal, game.InternalMessage, nil)
}

// logError logs err with what finds the request: its route and the request
// id the client saw in the problem's instance; then attrs.
func (e errorResponder) logError(c *gin.Context, level slog.Level, msg string, err error, attrs ...any) {
	e.log.Log(c, level, msg, append([]any{"method", c.Request.Method, "route", c.FullPath(), "request_id", requestID(c), "err", err}, attrs...)...)
}

// recovered answers a panic with a 500 problem, logging what panicked.
func (e errorResponder) recovered(c *gin.Context, v any) {
	e.internal(c, fmt.Errorf("panic: %v", v))
}

// writeInvalid answers 400 with fields, each a field's (or the body's)
// messages, summed up in the detail.
func writeInvalid(c *gin.Context, fields map[string]string) {
	writeProblem(c, kindInvalid, invalidDetail(fields), fields)
}

// invalidDetail sums up a validation problem's errors for its detail. The
// key "body" is the request body as a whole (not JSON, not an object, a
// member that is not allowed), not a field, and is named as such.
func invalidDetail(fields map[string]string) string {
	n := len(fields)
	if _, whole := fields[bodyKey]; whole {
		switch others := n - 1; others {
		case 0:
			return "The request body is invalid."
		case 1:
			return "The request body and 1 field are invalid."
		default:
			return "The request body and " + strconv.Itoa(others) + " fields are invalid."
		}
	}
	if n == 1 {
		return "1 field is invalid."
	}
	return strconv.Itoa(n) + " fields are invalid."
}
