// Package impl implements the operations of openapi.yaml over a game.Store.
//
// It fills in generated.StrictServerInterface: requests arrive already
// validated against the contract, responses are generated types. Failures
// are returned as *game.Error values and never written here; the api package
// turns every error into a problem response in one place.
package impl

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	ninjagold "github.com/ninjagold/ninjagold-api"
	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/generated"
)

// Server implements every operation of the contract.
type Server struct {
	store   game.Store
	dice    game.Dice
	metrics prometheus.Gatherer
	owners  tokenOwners // hints for CreateVisit's authorization
	tags    staticTags  // the ETags of the documentation and the contract

	// Each path template's methods (allow) and the media types its PATCH
	// takes (patch), for OPTIONS: worked out from the contract New is
	// given, of which nothing else is kept (a document kept would be
	// marked by every garbage collection).
	allow map[string]string
	patch map[string]string
	// The contract as JSON, for GET /openapi.json, is encoded when first
	// asked for.
	jsonOnce sync.Once
	specJSON []byte
	jsonErr  error
}

var _ generated.StrictServerInterface = (*Server)(nil)

// New returns a Server over store that rolls visits with dice, serves
// the metrics metrics gathers (none when nil), and answers OPTIONS from
// spec, the contract as ninjagold.Spec returns it, which it only reads:
// the one api.NewHandler enforces (Config.Spec). spec must not be nil.
func New(store game.Store, dice game.Dice, metrics prometheus.Gatherer, spec *openapi3.T) *Server {
	if metrics == nil {
		metrics = prometheus.NewRegistry()
	}
	allow, patch := pathTables(spec)
	return &Server{store: store, dice: dice, metrics: metrics, allow: allow, patch: patch}
}

// pathTables lists each path's methods (allow) and the media types its
// PATCH takes, if any (patch).
func pathTables(spec *openapi3.T) (allow, patch map[string]string) {
	allow, patch = map[string]string{}, map[string]string{}
	for path, item := range spec.Paths.Map() {
		var methods []string
		for m := range item.Operations() {
			methods = append(methods, m)
		}
		slices.Sort(methods)
		allow[path] = strings.Join(methods, ", ")
		if item.Patch != nil && item.Patch.RequestBody != nil && item.Patch.RequestBody.Value != nil {
			types := slices.Sorted(maps.Keys(item.Patch.RequestBody.Value.Content))
			patch[path] = strings.Join(types, ", ")
		}
	}
	return allow, patch
}

// specAsJSON is openapi.yaml as JSON, encoded.
func (s *Server) specAsJSON() ([]byte, error) {
	s.jsonOnce.Do(func() {
		// The JSON form is openapi.yaml's own text, not the parsed document
		// marshalled: kin-openapi leaves out what equals its defaults
		// (required: false, example: null), and /openapi.json says all
		// that /openapi.yaml says, in the same order. It is encoded here,
		// once: a decoded document, kept, would be marked by every
		// collection.
		if s.specJSON, s.jsonErr = yamlAsJSON(ninjagold.OpenAPIYAML); s.jsonErr != nil {
			s.jsonErr = fmt.Errorf("impl: spec as JSON: %w", s.jsonErr)
		}
	})
	return s.specJSON, s.jsonErr
}

// allowed lists the methods the contract declares for path (a template
// such as /locations/{id}), for the Allow header.
func (s *Server) allowed(path string) (string, error) {
	return specEntry(s.allow, path, "is not in the contract")
}

// acceptPatch lists the media types the contract declares for a PATCH of
// path, for the Accept-Patch header of its OPTIONS.
func (s *Server) acceptPatch(path string) (string, error) {
	return specEntry(s.patch, path, "takes no PATCH in the contract")
}

// specEntry is path's entry in m, one of pathTables' tables; path missing is
// a server bug.
func specEntry(m map[string]string, path, missing string) (string, error) {
	v, ok := m[path]
	if !ok {
		return "", fmt.Errorf("impl: %s %s", path, missing)
	}
	return v, nil
}

// Credentials is what the HTTP layer learned from the Authorization header.
type Credentials struct {
	// Token is the bearer token, "" when none was sent.
	Token string
	// TokenHash is TokenDigest(Token) when the HTTP layer worked it out (it
	// hashes every token to compare it with the admin token in constant
	// time), so the handlers need not hash it again; all zeros when it did
	// not, and the handlers hash Token themselves.
	TokenHash [sha256.Size]byte
	// Admin is true when Token is the admin token.
	Admin bool
	// Verifier, when set, hears of Token once a handler has found it to be
	// its player's (the rate limiter, which then keys the client on it);
	// TokenHash is set with it.
	Verifier TokenVerifier
}

// TokenVerifier learns of player tokens found to be their players'.
type TokenVerifier interface {
	TokenVerified(hash [sha256.Size]byte)
}

// verified tells c's Verifier, if any, that c's token is its player's.
func (c Credentials) verified() {
	if c.Verifier != nil {
		c.Verifier.TokenVerified(c.TokenHash)
	}
}

// tokenHash returns HashToken(c.Token), computed once per request.
func (c Credentials) tokenHash() []byte {
	if c.TokenHash == ([sha256.Size]byte{}) {
		return HashToken(c.Token)
	}
	h := c.TokenHash
	return h[:]
}

// RequestInfo is what the HTTP layer worked out about a request before the
// handler runs. A request without one (the zero RequestInfo) sent no token
// to an operation with one media type.
type RequestInfo struct {
	Credentials Credentials
	// MediaType is the response media type negotiated from Accept, as
	// openapi.yaml spells it (parameters included: text/csv; charset=utf-8),
	// for an operation offering more than one; "" for the others, whose
	// handlers have one way to answer.
	MediaType string
	// Accept is the request's Accept, its lines joined, for an operation
	// offering more than one media type: a handler that learns its one
	// type only as it runs (a /docs file) asks internal/accept with it.
	Accept string
}

type requestInfoKey struct{}

// infoContext carries a RequestInfo in one allocation, where
// context.WithValue would take two (the boxed value and the context).
type infoContext struct {
	context.Context
	info RequestInfo
}

func (c *infoContext) Value(key any) any {
	if key == (requestInfoKey{}) {
		return &c.info
	}
	return c.Context.Value(key)
}

// WithRequestInfo returns ctx carrying info.
func WithRequestInfo(ctx context.Context, info RequestInfo) context.Context {
	return &infoContext{Context: ctx, info: info}
}

// requestInfo is the RequestInfo the api layer put on the request's
// context. ctx may be that context, or the Gin context the strict handler
// passes in, whose Value does not reach the request's: a handler that has
// not yet swapped it (requestContext) still learns the request's
// credentials and media type.
func requestInfo(ctx context.Context) RequestInfo {
	if info, ok := ctx.Value(requestInfoKey{}).(*RequestInfo); ok {
		return *info // the request's context: the api layer's is its outermost
	}
	if info, ok := requestContext(ctx).Value(requestInfoKey{}).(*RequestInfo); ok {
		return *info
	}
	return RequestInfo{}
}

func credentialsFrom(ctx context.Context) Credentials { return requestInfo(ctx).Credentials }

// wantsCSV reports whether the client negotiated CSV, which the contract
// offers as text/csv with a charset parameter.
func wantsCSV(ctx context.Context) bool {
	essence, _, _ := strings.Cut(requestInfo(ctx).MediaType, ";")
	return essence == "text/csv"
}

func (s *Server) GetHealth(_ context.Context, req generated.GetHealthRequestObject) (generated.GetHealthResponseObject, error) {
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, ""); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetHealth304Response{}, nil
	}
	return generated.FastGetHealth200JSONResponse{GetHealth200JSONResponse: generated.GetHealth200JSONResponse{Body: generated.Health{Status: generated.Ok}}}, nil
}

func (s *Server) GetReadiness(ctx context.Context, req generated.GetReadinessRequestObject) (generated.GetReadinessResponseObject, error) {
	ctx = requestContext(ctx)
	if err := s.store.Ping(ctx); err != nil {
		return nil, err
	}
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, ""); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetReadiness304Response{}, nil
	}
	return generated.FastGetReadiness200JSONResponse{GetReadiness200JSONResponse: generated.GetReadiness200JSONResponse{Body: generated.Health{Status: generated.Ok}}}, nil
}

func (s *Server) GetOpenAPIJSON(_ context.Context, req generated.GetOpenAPIJSONRequestObject) (generated.GetOpenAPIJSONResponseObject, error) {
	doc, err := s.specAsJSON()
	if err != nil {
		return nil, err
	}
	tag := s.tags.of("/openapi.json", doc)
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, tag); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetOpenAPIJSON304Response{Headers: generated.GetOpenAPIJSON304ResponseHeaders{ETag: tag}}, nil
	}
	return specJSONResponse{body: doc, etag: tag}, nil
}

// specJSONResponse is generated.GetOpenAPIJSON200JSONResponse with its body
// already encoded: the same Content-Type and bytes, and the ETag of its
// Headers (GetOpenAPIJSON200ResponseHeaders), the only one of them impl
// sets; the api layer sets the others. Its length is known, so it is sent
// rather than a chunked body.
type specJSONResponse struct {
	body []byte
	etag string
}

func (r specJSONResponse) VisitGetOpenAPIJSONResponse(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("ETag", r.etag)
	w.Header().Set("Content-Length", strconv.Itoa(len(r.body)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(r.body)
	return err
}

func (s *Server) GetOpenAPIYAML(_ context.Context, req generated.GetOpenAPIYAMLRequestObject) (generated.GetOpenAPIYAMLResponseObject, error) {
	tag := s.tags.of("/openapi.yaml", ninjagold.OpenAPIYAML)
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, tag); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetOpenAPIYAML304Response{Headers: generated.GetOpenAPIYAML304ResponseHeaders{ETag: tag}}, nil
	}
	return generated.GetOpenAPIYAML200ApplicationyamlResponse{
		Body:          bytes.NewReader(ninjagold.OpenAPIYAML),
		ContentLength: int64(len(ninjagold.OpenAPIYAML)),
		Headers:       generated.GetOpenAPIYAML200ResponseHeaders{ETag: tag},
	}, nil
}

// requestContext returns the request's own context when ctx is the Gin
// context the generated strict handler passes in. Gin recycles its context
// for the next request once the handler returns, so it must not reach code
// that may still hold it afterwards, like a database driver watching
// ctx.Done() from a goroutine. Values set by the api layer live on the
// request's context, and so does cancellation.
func requestContext(ctx context.Context) context.Context {
	if r, ok := ctx.Value(gin.ContextRequestKey).(*http.Request); ok {
		return r.Context()
	}
	return ctx
}

func (s *Server) GetMetrics(ctx context.Context, req generated.GetMetricsRequestObject) (generated.GetMetricsResponseObject, error) {
	families, err := s.metrics.Gather()
	if err != nil {
		return nil, fmt.Errorf("impl: gather metrics: %w", err)
	}
	switch notModified, err := ReadPrecondition(req.Params.IfMatch, req.Params.IfNoneMatch, ""); {
	case err != nil:
		return nil, err
	case notModified:
		return generated.GetMetrics304Response{}, nil
	}
	var b strings.Builder
	enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range families {
		if err := enc.Encode(f); err != nil {
			return nil, fmt.Errorf("impl: encode metrics: %w", err)
		}
	}
	// The format expfmt writes is the one the contract names:
	// text/plain; version=0.0.4; charset=utf-8 (expfmt.FmtText).
	return generated.GetMetrics200TextplainVersion004CharsetUtf8Response{
		Body: strings.NewReader(b.String()), ContentLength: int64(b.Len()),
	}, nil
}
