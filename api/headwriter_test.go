package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"
)

// Once a handler has written some body, the response has begun: a status
// set after it is ignored, for the GET by net/http and Gin, and for its
// HEAD twin by headWriter, which keeps the body back but must answer as the
// GET does. No handler of the service does this today; the test holds
// headWriter to what its comment promises for when one does.
func TestHeadKeepsTheStatusOfABegunResponse(t *testing.T) {
	late := func(c *gin.Context) {
		_, _ = c.Writer.WriteString("hello")
		c.Writer.WriteHeader(http.StatusInternalServerError)
	}
	r := gin.New()
	r.GET("/late", late)
	r.HEAD("/late", func(c *gin.Context) { headOnly(c, nil) }, late)
	srv := httptest.NewServer(r)
	defer srv.Close()

	for _, tt := range []struct{ method, wantBody string }{
		{http.MethodGet, "hello"},
		{http.MethodHead, ""},
	} {
		req, err := http.NewRequest(tt.method, srv.URL+"/late", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Length") != "5" || string(body) != tt.wantBody {
			t.Errorf("%s: %d, Content-Length %q, body %q; want 200, 5 and %q",
				tt.method, resp.StatusCode, resp.Header.Get("Content-Length"), body, tt.wantBody)
		}
	}
}
