package api_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// The contract's description lists the answers Go's HTTP server gives
// before any route is looked up. These two are held to what it says, so a
// change in net/http shows here before it contradicts the contract.
func TestGoLevelAnswersAreAsDocumented(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, raw  string
		wantStatus int
		wantText   bool // a text/plain body; else none
	}{
		{"OPTIONS * is the server as a whole", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusOK, false},
		{"an Expect other than 100-continue", "GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: bogus\r\n\r\n", http.StatusExpectationFailed, false},
		{"another HTTP version", "GET /healthz HTTP/3.0\r\nHost: x\r\n\r\n", http.StatusHTTPVersionNotSupported, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", u.Host)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := conn.Write([]byte(tt.raw)); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || (len(body) > 0) != tt.wantText ||
				tt.wantText && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
				t.Errorf("status %d, %s body %q; want %d, a text/plain body: %v",
					resp.StatusCode, resp.Header.Get("Content-Type"), body, tt.wantStatus, tt.wantText)
			}
		})
	}
}
