package impl

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestRequestInfoThroughGinContext: the strict handler passes the Gin
// context, whose Value does not reach the request's context; a handler
// reading the request's credentials or media type from it before swapping
// it (requestContext) must still find them, not a request without any.
func TestRequestInfoThroughGinContext(t *testing.T) {
	info := RequestInfo{Credentials: Credentials{Token: "ngp_token"}, MediaType: "text/csv; charset=utf-8"}
	req := httptest.NewRequest("GET", "/players/1/visits", nil)
	req = req.WithContext(WithRequestInfo(req.Context(), info))
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = req
	for name, ctx := range map[string]context.Context{"the request's context": req.Context(), "the Gin context": c} {
		if got := credentialsFrom(ctx).Token; got != "ngp_token" {
			t.Errorf("%s: token %q, want ngp_token", name, got)
		}
		if !wantsCSV(ctx) {
			t.Errorf("%s: wantsCSV false, want true", name)
		}
	}
}
