package impl

import (
	"context"
	"crypto/sha256"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

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

// tokenHash returns HashToken(c.Token): the TokenHash the HTTP layer
// worked out, or, when it did not, a hash made on each call.
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
	// AcceptEncoding is the request's Accept-Encoding, its lines joined,
	// for an operation that may answer compressed (a /docs file, the
	// contract).
	AcceptEncoding string
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
