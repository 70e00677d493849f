package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/gin-gonic/gin"

	"github.com/ninjagold/ninjagold-api/impl"
	"github.com/ninjagold/ninjagold-api/internal/accept"
)

// validator enforces the contract on each request before any handler runs:
// authentication, Accept, Content-Type, body size, then parameters and body
// against their schemas. A request it lets through is one the contract
// allows; a request it stops gets the problem the contract declares.
type validator struct {
	// adminHash is the SHA-256 of the admin token; hasAdmin is false when
	// there is none, so that no token is the admin's.
	adminHash [sha256.Size]byte
	hasAdmin  bool
	maxBody   int64
	kinOpts   openapi3filter.Options
	// kinOnly turns the quick check off and onQuick, when set, hears of
	// each request it passed: both for the test comparing the two.
	kinOnly bool
	onQuick func()
	// verifier, when set, goes with each request's credentials to hear
	// of a player token proven (the rate limiter).
	verifier impl.TokenVerifier
	// errs answers a missing token's 401 as the handlers' is answered,
	// and logs a validation error of a kind the messages do not know
	// (faults.unrecognised).
	errs errorResponder
	// deadline, when set, ends each request's context this long after
	// handle takes it up (Config.StoreDeadline).
	deadline time.Duration
}

func newValidator(adminToken string, maxBody int64) *validator {
	useKnownPatternsInKin()
	return &validator{
		adminHash: impl.TokenDigest(adminToken),
		hasAdmin:  adminToken != "",
		maxBody:   maxBody,
		errs:      errorResponder{log: slog.New(slog.DiscardHandler)},
		kinOpts: openapi3filter.Options{
			MultiError: true,
			// Security is checked before kin-openapi runs, with the
			// credentials this middleware parsed.
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			// Leave the request as it came: the handlers apply the
			// contract's defaults themselves, and a request the quick
			// check passed must reach them exactly as one kin-openapi
			// passed.
			SkipSettingDefaults: true,
		},
	}
}

// handle validates a request to op; nil is no operation (NoRoute and
// NoMethod). In order: all of the request but its body (credentials,
// Accept, query, headers), then its body, read once and screened for what
// kin-openapi cannot judge; then the quick check's verdict, or else
// kin-openapi's. Each step that refuses the request answers it and stops.
func (v *validator) handle(c *gin.Context, op *operation) {
	if op == nil {
		c.Next() // NoRoute and NoMethod answer these
		return
	}
	var start time.Time // of the deadline, when there is one
	if v.deadline > 0 {
		start = time.Now()
		parent := c.Request.Context()
		ctx, cancel := context.WithTimeout(parent, v.deadline)
		c.Request = c.Request.WithContext(ctx) // a copy: net/http's own stays as it made it
		defer func() {
			// The request's own context again before this one ends: what
			// runs after (the recovery of a panic that came after the
			// status line) must not take this end for the client's leaving.
			c.Request = c.Request.WithContext(parent)
			cancel()
		}()
	}
	info, query, ok := v.checkBeforeBody(c, op)
	if !ok {
		return
	}
	req := v.forHandler(c, op, info)
	quick := !v.kinOnly && op.quick != nil && op.quick.paramsOK(c, query)
	// lexical names the fields whose text names no character (lexical.go);
	// they are reported together with whatever else kin-openapi finds.
	var lexical map[string]string
	var data []byte // the body read, for an operation that takes one
	if op.requestTypes != nil {
		if data, lexical, quick, ok = v.screenBody(c, op, quick); !ok {
			return
		}
		if v.deadline > 0 {
			// A slow upload spends the deadline before the database is
			// asked: when it took a tenth or more, the log of a deadline
			// passed says how much.
			if wait := time.Since(start); wait >= v.deadline/10 {
				c.Set(bodyWaitKey, wait)
			}
		}
	}
	if quick {
		if v.onQuick != nil {
			v.onQuick()
		}
		c.Next()
		return
	}
	v.checkWithKin(c, op, req, data, lexical)
}

// checkBeforeBody checks all of the request but its body: its credentials
// against op's security, its Accept against what op offers, its query and
// its single-valued headers. On the way it adds to Vary the request
// headers op's answer varies with. It returns what the handler is to learn
// of the request and the query parsed, or false once it has answered.
func (v *validator) checkBeforeBody(c *gin.Context, op *operation) (info impl.RequestInfo, query url.Values, ok bool) {
	req := c.Request
	if len(op.security) > 0 && len(req.Header["Authorization"]) > 1 {
		// Two Authorization lines, as two Content-Type lines below: which
		// one counts would be anyone's guess. Refused before the token is
		// read, since which token it is, is the question.
		fields := repeated(req.Header, []string{"Authorization"})
		writeInvalid(c, fields)
		return info, nil, false
	}
	cred := v.credentials(req)
	if !satisfies(op.security, cred) {
		err := impl.ErrNoToken
		if adminOnly(op.security) {
			err = impl.ErrNotAdmin
		}
		v.errs.handlerError(c, err)
		return info, nil, false
	}

	if len(op.offers) > 1 {
		addVary(c.Writer.Header(), varyAccept)
	}
	if op.compressible {
		addVary(c.Writer.Header(), varyAcceptEncoding)
	}
	acceptList := listHeader(req.Header, "Accept")
	mediaType, negotiated := accept.Negotiate(acceptList, op.offers)
	if !negotiated && !op.acceptPerResource {
		list, allow := accept.Names(op.offers), "Accept must allow "
		if len(op.offers) > 1 {
			allow += "one of "
		}
		writeProblem(c, kindNotAcceptable, "This operation produces: "+list+".",
			map[string]string{"Accept": allow + list})
		return info, nil, false
	}
	info = impl.RequestInfo{Credentials: cred}
	if len(op.offers) > 1 {
		info.MediaType, info.Accept = mediaType, acceptList
	}
	if op.compressible {
		info.AcceptEncoding = listHeader(req.Header, "Accept-Encoding")
	}

	if req.URL.RawQuery != "" {
		var err error
		// url.URL.Query, which kin-openapi and the handlers use, drops
		// the pairs it cannot parse without a word; a client must not get
		// the default page for the one it asked for.
		query, err = url.ParseQuery(req.URL.RawQuery)
		if err != nil && len(op.query) > 0 {
			fields := malformedQuery(req.URL.RawQuery, op.query)
			writeInvalid(c, fields)
			return info, nil, false
		}
		if fields := repeated(query, op.singleQuery); fields != nil {
			writeInvalid(c, fields)
			return info, nil, false
		}
	}
	if fields := repeated(req.Header, op.singleHeaders); fields != nil {
		writeInvalid(c, fields)
		return info, nil, false
	}
	return info, query, true
}

// forHandler returns the request the handler is to get: c.Request, or a
// copy of it carrying info, its list headers joined, without a body op
// does not take, put in c.Request.
func (v *validator) forHandler(c *gin.Context, op *operation, info impl.RequestInfo) *http.Request {
	req := c.Request
	joined := joinLists(req.Header, op.listHeaders)
	// The operation takes no body: nothing reads one, kin-openapi's
	// security check included (it would read it all, unbounded). net/http
	// still drains or drops what was sent.
	dropBody := op.requestTypes == nil && req.Body != nil && req.Body != http.NoBody

	// From here on the middleware works on a copy of the request when it
	// has something to change in it or to tell the handler: net/http keeps
	// the request it made (its body and length among them) to finish the
	// exchange, so that one must not change. A request with neither, such
	// as a public GET without a token, goes on as it came: the copy and
	// the context carrying info are about 320 bytes a request for the
	// garbage collector (docs/benchmarks-history.md).
	if info != (impl.RequestInfo{}) || joined != nil || dropBody || op.requestTypes != nil {
		req = req.WithContext(impl.WithRequestInfo(req.Context(), info))
		c.Request = req
	}
	if joined != nil {
		req.Header = joined
	}
	if dropBody {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	return req
}

// screenBody reads the body of a request to op, which takes one, and
// refuses what kin-openapi cannot judge (a Content-Type op does not take,
// a body too large, text that names no character, what is not JSON, too
// many members). It puts the body back for the handler and kin-openapi:
// with the members the quick check read when it passes the body too, as it
// did the parameters (paramsOK). It returns the body, the fields whose text
// names no character, and the quick check's verdict on the whole request,
// or false once it has answered.
func (v *validator) screenBody(c *gin.Context, op *operation, paramsOK bool) (data []byte, lexical map[string]string, quick, ok bool) {
	req := c.Request
	quick = paramsOK
	bodyType, ok := v.checkContentType(c, op)
	if !ok {
		return nil, nil, false, false
	}
	data, ok = v.readBody(c)
	if !ok {
		return nil, nil, false, false
	}
	lexical, whole := lexicalErrors(data)
	if whole {
		// Not (only) in members' values: kin-openapi could name
		// members by text that has U+FFFD for what was sent. Whether
		// it is JSON is still said: a body cut short inside a string
		// is both.
		if !json.Valid(data) {
			mergeFields(lexical, map[string]string{bodyKey: invalidJSON(data)})
		}
		v.bodyFault(c, op, paramsOK, lexical)
		return nil, nil, false, false
	}
	var members map[string]any
	if quick && lexical == nil {
		members, quick = op.quick.body(bodyType, data)
	} else {
		quick = false
	}
	if quick {
		vb := &validatedBody{members: members}
		vb.Reset(data)
		req.Body = vb
	} else {
		req.Body = io.NopCloser(bytes.NewReader(data))
	}
	if !quick && len(data) > 0 && !json.Valid(data) {
		// encoding/json would ignore what follows the document.
		fields := map[string]string{bodyKey: invalidJSON(data)}
		mergeFields(fields, lexical)
		v.bodyFault(c, op, paramsOK, fields)
		return nil, nil, false, false
	}
	// (A body the quick check accepted is within the bound: see compileObject.)
	if !quick && op.maxMembers > 0 && objectMembers(data, op.maxMembers) > op.maxMembers {
		// That one message, as the contract says, whatever the members
		// hold: they are not read.
		fields := map[string]string{bodyKey: tooManyMembers("request body", op.maxMembers)}
		v.bodyFault(c, op, paramsOK, fields)
		return nil, nil, false, false
	}
	return data, lexical, quick, true
}

// checkWithKin has kin-openapi validate req, a request to op with the body
// data (nil for none), and answers what it refuses with every field's
// message: kin-openapi's, and those of the checks it leaves to this
// package (whole numbers, members given twice, text that names no
// character, the rules across members). A request it passes goes on to
// the handler, integers written otherwise than in digits rewritten in
// digits.
func (v *validator) checkWithKin(c *gin.Context, op *operation, req *http.Request, data []byte, lexical map[string]string) {
	err := openapi3filter.ValidateRequest(req.Context(), &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: pathParams(c),
		Route:      op.route,
		Options:    &v.kinOpts,
	})
	if err != nil {
		if isBodyTooLarge(err) {
			v.tooLarge(c)
			return
		}
		f := v.fieldErrors(c, err)
		_, refused := wholeNumbers(data, op.intMembers)
		refused.over(f.body)
		// A member given twice, or holding text that names no
		// character, says so, whatever kin-openapi found in the value it
		// kept (the last, with U+FFFD for that text).
		mergeFields(f.body, memberFaults(data, lexical))
		addCrossFieldErrors(op, data, f.body)
		fields := f.join()
		writeInvalid(c, fields)
		return
	}
	rewritten, refused := wholeNumbers(data, op.intMembers)
	if fields := joinFields(refused.notInteger, refused.outOfRange, memberFaults(data, lexical)); fields != nil {
		addCrossFieldErrors(op, data, fields)
		writeInvalid(c, fields)
		return
	}
	if rewritten != nil {
		// kin-openapi took 1.0 as the integer it is: so does the handler.
		req.Body = io.NopCloser(bytes.NewReader(rewritten))
		setBodyLength(req, rewritten)
	}
	c.Next()
}

// memberFaults are the faults of a body's members that kin-openapi cannot
// see: each member given twice, and each whose text names no character
// (lexical, lexicalErrors' fields). A member with both has both named, the
// first fault first, joined by "; ", where one would hide the other.
func memberFaults(data []byte, lexical map[string]string) map[string]string {
	dup := duplicateMembers(data)
	if len(dup) == 0 || len(lexical) == 0 {
		return joinFields(dup, lexical)
	}
	return prepend(dup, maps.Clone(lexical))
}

// bodyFault answers a request whose body is refused before kin-openapi reads
// it (not JSON, too many members, a member's name that names no character)
// with its parameters' faults named beside the body's, as when kin-openapi
// finds both: PUT /locations/abc with "{" would otherwise take a second
// request to learn that abc is no id. paramsOK is the quick check's verdict
// on the parameters; without it kin-openapi checks them, the body left out.
func (v *validator) bodyFault(c *gin.Context, op *operation, paramsOK bool, fields map[string]string) {
	if !paramsOK {
		opts := v.kinOpts
		opts.ExcludeRequestBody = true
		err := openapi3filter.ValidateRequest(c.Request.Context(), &openapi3filter.RequestValidationInput{
			Request:    c.Request,
			PathParams: pathParams(c),
			Route:      op.route,
			Options:    &opts,
		})
		if err != nil {
			fields = prepend(v.fieldErrors(c, err).params, fields)
		}
	}
	writeInvalid(c, fields)
}

// fieldErrors is collectFaults, with each error of a kind the
// messages do not know logged as the request's other faults are.
func (v *validator) fieldErrors(c *gin.Context, err error) faults {
	f := collectFaults(err)
	for _, e := range f.unrecognised {
		v.errs.logError(c, slog.LevelWarn, "request validation error of a kind the messages do not know, answered 400", e)
	}
	return f
}

// repeated reports the single-valued parameters (query or header) sent more
// than once: which value would count is anyone's guess, so neither does.
func repeated(values map[string][]string, single []string) map[string]string {
	var fields map[string]string
	for _, name := range single {
		if len(values[name]) > 1 {
			if fields == nil {
				fields = map[string]string{}
			}
			fields[name] = name + " must be given only once"
		}
	}
	return fields
}

// malformedQuery names what url.ParseQuery refused in raw: a semicolon (Go
// no longer takes it for a separator) or a broken percent-escape, under the
// name of the declared parameter (one of declared) it is in, else under
// "query": a key of the errors object is a parameter's name, never what a
// client made up.
func malformedQuery(raw string, declared []string) map[string]string {
	fields := map[string]string{}
	for pair := range strings.SplitSeq(raw, "&") {
		key, value, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(key)
		if err != nil || strings.Contains(key, ";") || !slices.Contains(declared, name) {
			name = "query"
		}
		if _, named := fields[name]; named {
			continue // the first fault under a name is the one told
		}
		switch {
		case strings.Contains(pair, ";"):
			fields[name] = name + " must not contain a semicolon: separate parameters with &"
		case err != nil:
			fields[name] = "query must be percent-encoded correctly"
		default:
			if _, err := url.QueryUnescape(value); err != nil {
				fields[name] = name + " must be percent-encoded correctly"
			}
		}
	}
	if len(fields) == 0 { // not reached while the cases above are ParseQuery's
		fields["query"] = "query is not valid"
	}
	return fields
}

// listHeaders are the request headers RFC 9110 defines as comma-separated
// lists: sent on several lines they mean the lines joined by commas (RFC
// 9110, section 5.3). Any other header parameter is one value.
var listHeaders = map[string]bool{"Accept": true, "If-Match": true, "If-None-Match": true}

// listHeader is the list header key of h, its lines joined.
func listHeader(h http.Header, key string) string {
	switch vs := h[key]; len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0]
	default:
		return strings.Join(vs, ", ")
	}
}

// joinLists returns a copy of h with each of the list headers names sent on
// several lines joined into one, so that kin-openapi, the generated binder
// and the handler all see the whole list; nil when there is none.
func joinLists(h http.Header, names []string) http.Header {
	var out http.Header
	for _, name := range names {
		if vs := h[name]; len(vs) > 1 {
			if out == nil {
				out = h.Clone()
			}
			out[name] = []string{strings.Join(vs, ", ")}
		}
	}
	return out
}

// smallBody is the largest declared length readBody reads into a buffer
// of that size at once.
const smallBody = 16 << 10

// readBody reads the body (up to the limit), or answers 413 at once for a
// declared length past it; the caller puts the body back for validation
// and the handler.
func (v *validator) readBody(c *gin.Context) ([]byte, bool) {
	req := c.Request
	if req.ContentLength > v.maxBody {
		v.tooLarge(c)
		return nil, false
	}
	var data []byte
	var err error
	if req.ContentLength >= 0 && req.ContentLength <= smallBody {
		// The length is known and small, as this contract's bodies are
		// (unless padded: a larger buffer is only grown as bytes arrive,
		// and a request holds no in-flight slot while they do), and
		// net/http stops the body there.
		data = make([]byte, req.ContentLength)
		_, err = io.ReadFull(req.Body, data)
	} else {
		data, err = io.ReadAll(http.MaxBytesReader(c.Writer, req.Body, v.maxBody))
	}
	req.Body.Close()
	if err != nil {
		v.unreadBody(c, err)
		return nil, false
	}
	setBodyLength(req, data)
	return data, true
}

// unreadBody answers a request whose body could not be read for err.
func (v *validator) unreadBody(c *gin.Context, err error) {
	var ne net.Error
	switch {
	case isBodyTooLarge(err):
		v.tooLarge(c)
	case errors.As(err, &ne) && ne.Timeout():
		// --read-timeout passed while the body came: a request to send
		// again, faster (net/http closes the connection after the
		// answer). A 408 would say so in its status, but would be a
		// problem type the contract's clients do not know.
		writeProblem(c, kindInvalid, "The request body did not arrive in time.",
			map[string]string{bodyKey: "request body did not arrive within the server's read timeout"})
	case errors.Is(err, io.ErrUnexpectedEOF) && c.Request.ContentLength >= 0:
		writeProblem(c, kindInvalid, "The request body could not be read.",
			map[string]string{bodyKey: fmt.Sprintf("request body ended before its Content-Length of %d bytes", c.Request.ContentLength)})
	default:
		writeProblem(c, kindInvalid, "The request body could not be read.", map[string]string{bodyKey: "request body could not be read"})
	}
}

// isBodyTooLarge reports whether err comes from reading past the body limit.
func isBodyTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// setBodyLength gives req the length and GetBody of data, its body, as
// kin-openapi leaves them, so that the handler gets the same request
// whichever of the two validated it.
func setBodyLength(req *http.Request, data []byte) {
	req.ContentLength = int64(len(data))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
}

// validatedBody is a body the quick check read and found valid. It reads
// as the bytes sent, and ValidatedValue, which the generated handlers look
// for (it is how kin-openapi's openapi3filter hands over a value it kept
// with KeepValidatedValue), gives them the members the check read: the
// handler binds those (runtime.BindJSONValue) instead of decoding the body
// a second time with encoding/json. TestQuickBodyBindsAsDecoded holds the
// two to the same result.
type validatedBody struct {
	bytes.Reader
	members map[string]any
}

func (*validatedBody) Close() error          { return nil }
func (b *validatedBody) ValidatedValue() any { return b.members }

func (v *validator) tooLarge(c *gin.Context) {
	writeProblem(c, kindTooLarge, fmt.Sprintf("The request body must be at most %d bytes.", v.maxBody), nil)
}

// checkContentType answers 415 when a body is sent in a media type or a
// content coding the operation does not take, and otherwise returns the
// media type. A request without a body or Content-Type passes with "":
// kin-openapi reports the missing body as a field error.
func (v *validator) checkContentType(c *gin.Context, op *operation) (string, bool) {
	if !identityOnly(c.Request.Header["Content-Encoding"]) {
		// No content coding is supported: 415, as RFC 9110 (15.5.16) says,
		// with the one coding taken in Accept-Encoding (12.5.3).
		c.Header("Accept-Encoding", "identity")
		unsupported(c, op, "This operation accepts uncompressed bodies only.",
			map[string]string{"Content-Encoding": "Content-Encoding must be identity or absent"})
		return "", false
	}
	ct := header(c.Request.Header, "Content-Type")
	if ct == "" && emptyBody(c.Request) {
		return "", true // the body's absence is the schema's to judge (400)
	}
	if slices.Contains(op.requestTypes, ct) {
		return ct, true
	}
	mt, params, err := accept.ParseMediaType(ct)
	if err == nil && slices.Contains(op.requestTypes, mt) {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return mt, true
		}
	}
	list := strings.Join(op.requestTypes, ", ")
	msg := "Content-Type must be " + strings.Join(op.requestTypes, " or ")
	if bare, _, _ := strings.Cut(ct, ";"); slices.Contains(op.requestTypes, strings.ToLower(strings.TrimSpace(bare))) {
		// The type is one taken: its parameters are what is wrong.
		msg = "Content-Type parameters must be well formed, with charset utf-8 if any"
	}
	unsupported(c, op, "This operation accepts: "+list+", in UTF-8.", map[string]string{"Content-Type": msg})
	return "", false
}

// expectsContinue reports whether an Expect value asks for 100 Continue
// as net/http reads it (its hasToken): one of its words, in any case, words
// being separated by commas, spaces and tabs.
func expectsContinue(expect string) bool {
	for _, t := range strings.FieldsFunc(expect, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if strings.EqualFold(t, "100-continue") {
			return true
		}
	}
	return false
}

// emptyBody reports whether r has no body: a Content-Length of 0, or a
// chunked body that ends at once (peeked, and put back when it does not),
// so that the two framings of one empty request get one answer. A
// request waiting for 100 Continue is not peeked: peeking would ask for
// the body that a 415 then refuses; it announces one, so it has one.
func emptyBody(r *http.Request) bool {
	if r.ContentLength >= 0 {
		return r.ContentLength == 0
	}
	if r.ProtoAtLeast(1, 1) && expectsContinue(r.Header.Get("Expect")) {
		return false
	}
	var one [1]byte
	n, err := io.ReadFull(r.Body, one[:])
	if n == 0 && err == io.EOF {
		r.Body, r.ContentLength = http.NoBody, 0
		return true
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(one[:n]), r.Body), r.Body}
	return false
}

// unsupported answers 415 to a request for op.
func unsupported(c *gin.Context, op *operation, detail string, fields map[string]string) {
	if c.Request.Method == http.MethodPatch {
		// RFC 5789 §2.2: a 415 to a PATCH names the patch formats taken.
		c.Header("Accept-Patch", strings.Join(op.requestTypes, ", "))
	}
	writeProblem(c, kindUnsupportedType, detail, fields)
}

// identityOnly reports whether the Content-Encoding lines name no coding
// but identity. Content-Encoding is a list (RFC 9110, section 8.4): lines
// mean their elements joined, so every element of every line counts, not
// the first line alone.
func identityOnly(lines []string) bool {
	for _, line := range lines {
		for coding := range strings.SplitSeq(line, ",") {
			if coding = strings.TrimSpace(coding); coding != "" && !strings.EqualFold(coding, "identity") {
				return false
			}
		}
	}
	return true
}

// header is h.Get(key) for a key already in canonical form, without
// checking that form again on every request.
func header(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}
