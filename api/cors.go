package api

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
)

// The request headers a page may send, and the response headers its script
// may read, on an allowed origin: those the contract declares
// (TestCORSListsCoverTheContract), with X-Request-ID both ways.
const (
	corsAllowHeaders  = "Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match, X-Request-ID"
	corsExposeHeaders = "ETag, Link, Location, Retry-After, RateLimit, RateLimit-Policy, X-Request-ID, Idempotent-Replayed, " +
		"WWW-Authenticate, Accept-Patch, Accept-Encoding, Allow, Content-Encoding"
)

// cors adds Vary: Origin to every response and the CORS headers for an
// allowed Origin: on a preflight (OPTIONS with Access-Control-Request-Method)
// the methods and headers it may use, on any other response the headers its
// script may read. CORS is off unless origins are configured: only pages
// served from those origins may call the API from a browser.
func cors(e *gin.Engine, ops operations, origins []string) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		// Every response depends on Origin, those without CORS headers
		// too: a cache must not give them to an allowed origin.
		addVary(h, varyOrigin)
		origin := c.GetHeader("Origin")
		if origin == "" || !slices.Contains(origins, origin) {
			c.Next()
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if c.Request.Method == http.MethodOptions && c.GetHeader("Access-Control-Request-Method") != "" {
			// An unknown path allows nothing; its preflight is answered
			// 404, without the preflight headers.
			if allowed := ops.allowed(routedPath(e, c.Request.URL)); allowed != "" {
				setPreflight(h, allowed)
			}
		} else {
			h.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		c.Next()
	}
}

// setPreflight puts on h the headers that answer a preflight, allowing
// the methods in allowed. clearPreflight, beside it so the two name the
// same headers, takes them off an answer that turned out a problem.
func setPreflight(h http.Header, allowed string) {
	h.Set("Access-Control-Allow-Methods", allowed)
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	h.Set("Access-Control-Max-Age", "600")
}

// clearPreflight takes the headers setPreflight puts off h.
func clearPreflight(h http.Header) {
	delete(h, "Access-Control-Allow-Methods")
	delete(h, "Access-Control-Allow-Headers")
	delete(h, "Access-Control-Max-Age")
}
