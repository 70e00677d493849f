package api_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// The contract's description lists the answers Go's HTTP server gives
// before any route is looked up, and what it lets through. These are held
// to what it says, so a change in net/http shows here before it
// contradicts the contract.
func TestGoLevelAnswersAreAsDocumented(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	tests := []struct {
		name, raw  string
		wantStatus int
		wantType   string // the body's media type; "" for none
	}{
		{"OPTIONS * is the server as a whole", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", http.StatusOK, ""},
		{"an Expect that does not name 100-continue", "GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: bogus\r\n\r\n", http.StatusExpectationFailed, ""},
		{"only the first Expect line counts", "GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: bogus\r\nExpect: 100-continue\r\n\r\n", http.StatusExpectationFailed, ""},
		{"an empty first Expect line asks nothing", "GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: \r\nExpect: bogus\r\n\r\n", http.StatusOK, "application/json"},
		{"a version Go cannot parse", "GET /healthz HTTP/10.0\r\nHost: x\r\n\r\n", http.StatusBadRequest, "text/plain"},
		{"HTTP/1.0 is served", "GET /healthz HTTP/1.0\r\n\r\n", http.StatusOK, "application/json"},
		{"another major HTTP version", "GET /healthz HTTP/3.0\r\nHost: x\r\n\r\n", http.StatusHTTPVersionNotSupported, "text/plain"},
		{"another HTTP/1 minor version is served", "GET /healthz HTTP/1.9\r\nHost: x\r\n\r\n", http.StatusOK, "application/json"},
		{"the HTTP/2 preface reaches the router", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", http.StatusNotFound, "application/problem+json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := dial(t, s)
			if _, err := conn.Write([]byte(tt.raw)); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			ct := resp.Header.Get("Content-Type")
			if resp.StatusCode != tt.wantStatus || (len(body) > 0) != (tt.wantType != "") || !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("status %d, %q body %q; want %d, body of type %q", resp.StatusCode, ct, body, tt.wantStatus, tt.wantType)
			}
		})
	}
}

// dial opens a connection of its own to s, closed when t ends, on which
// any read or write fails after ten seconds.
func dial(t *testing.T, s *apitest.Server) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	return conn
}

// A request target may have no path: the absolute form without one, or
// CONNECT's host:port. Nothing is routed there; the 404 says why.
func TestATargetWithNoPathIsNotFound(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	for _, raw := range []string{"GET http://x HTTP/1.1\r\nHost: x\r\n\r\n", "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n"} {
		conn := dial(t, s)
		if _, err := conn.Write([]byte(raw)); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var p struct {
			Status int
			Detail string
		}
		if err := json.Unmarshal(body, &p); err != nil || resp.StatusCode != http.StatusNotFound ||
			resp.Header.Get("Content-Type") != "application/problem+json" || p.Status != http.StatusNotFound ||
			p.Detail != "The request target has no path." {
			t.Errorf("%q: %d %q %s (%v); want the 404 problem", strings.SplitN(raw, "\r", 2)[0], resp.StatusCode, resp.Header.Get("Content-Type"), body, err)
		}
	}
}

// A request with a chunked body may also carry a Content-Length, which
// net/http drops unseen, and an HTTP/1.0 request's Transfer-Encoding is
// dropped unseen too; a proxy in front that framed the body the other way
// would see another request where the server sees body (request
// smuggling). The connection is closed after any chunked request and any
// HTTP/1.0 request (RFC 9112, section 6.1), OPTIONS * included,
// so what follows its body on the connection is never served.
func TestChunkedRequestClosesTheConnection(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	const next = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
	tests := []struct {
		name, first string
		wantStatus  int
		wantClosed  bool
	}{
		{"Content-Length and chunked: the smuggled request is not served",
			"POST /players HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 41\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			http.StatusBadRequest, true},
		{"chunked alone", "POST /players HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"25\r\n{\"first_name\":\"Ann\",\"last_name\":\"Bo\"}\r\n0\r\n\r\n", http.StatusCreated, true},
		{"chunked to an unknown path", "POST /nowhere HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			http.StatusNotFound, true},
		// Framed either way, an empty body without a Content-Type is a
		// missing body (400), and a body without one is a 415.
		{"chunked and empty, without a Content-Type", "POST /players HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			http.StatusBadRequest, true},
		{"chunked, without a Content-Type", "POST /players HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
			"25\r\n{\"first_name\":\"Ann\",\"last_name\":\"Bo\"}\r\n0\r\n\r\n", http.StatusUnsupportedMediaType, true},
		{"OPTIONS * with Content-Length and chunked",
			"OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: 41\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			http.StatusOK, true},
		{"HTTP/1.0 kept alive, with a body: its Transfer-Encoding went unseen",
			"POST /players HTTP/1.0\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: 37\r\n\r\n" +
				`{"first_name":"Cid","last_name":"Bo"}`, http.StatusCreated, true},
		{"HTTP/1.0 kept alive, with Transfer-Encoding and no length: no body, and what follows unread",
			"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n", http.StatusOK, true},
		{"Content-Length alone keeps the connection", "POST /players HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 37\r\n\r\n" +
			`{"first_name":"Bea","last_name":"Bo"}`, http.StatusCreated, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := dial(t, s)
			if _, err := conn.Write([]byte(tt.first + next)); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || resp.Close != tt.wantClosed {
				t.Fatalf("first answer %d, Connection: close %v; want %d, %v", resp.StatusCode, resp.Close, tt.wantStatus, tt.wantClosed)
			}
			second, err := http.ReadResponse(br, nil)
			if tt.wantClosed {
				if err == nil {
					second.Body.Close()
					t.Fatalf("the connection served what followed the body: %d", second.StatusCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("the next request on the connection went unanswered: %v", err)
			}
			second.Body.Close()
			if second.StatusCode != http.StatusOK {
				t.Errorf("next request: %d, want 200", second.StatusCode)
			}
		})
	}
}

// A request that waits for 100 Continue before it sends its body is
// refused without being asked for it when its headers already decide: a
// body without a Content-Type is a 415 whatever its framing, so the server
// does not peek into a chunked one (which would send the 100 Continue).
// The connection then closes soon, though the client, still waiting, never
// sends the body net/http would read before closing it (the harness's
// server has no read timeout: without the bound, it would wait for ever).
func TestExpectContinueRefusedBeforeTheBody(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	for _, tt := range []struct {
		name, head string
		want       int
	}{
		{"chunked", "POST /players HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n", http.StatusUnsupportedMediaType},
		{"with a length", "POST /players HTTP/1.1\r\nHost: x\r\nContent-Length: 37\r\nExpect: 100-continue\r\n\r\n", http.StatusUnsupportedMediaType},
		{"chunked, among other expectations", "POST /players HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: foo, 100-Continue\r\n\r\n", http.StatusUnsupportedMediaType},
		{"to a path that names nothing", "POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 37\r\nExpect: 100-continue\r\n\r\n", http.StatusNotFound},
		{"to an operation that takes no body", "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n", http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conn := dial(t, s)
			sent := time.Now()
			if _, err := conn.Write([]byte(tt.head)); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			answered := time.Now()
			if resp.StatusCode != tt.want {
				t.Fatalf("first answer %d, want %d before the body is sent", resp.StatusCode, tt.want)
			}
			if !resp.Close {
				t.Errorf("the answer keeps the connection, whose body is unread")
			}
			if b, err := br.ReadByte(); err != io.EOF {
				t.Fatalf("after the answer: read %q, %v; want the connection closed", b, err)
			}
			// The answer comes at once, and the close after the wait for
			// the body: not the answer after the wait, as when net/http
			// reads the body before it answers.
			if waited, after := answered.Sub(sent), time.Since(answered); waited > after {
				t.Errorf("the answer came %v after the request and the close %v after it; want the answer first, the wait after", waited, after)
			}
		})
	}
}

// A request that waits for 100 Continue and sends its body when asked
// keeps its connection, as any other. (This is a check of the whole; that
// the bound on an unread body's wait is not set once the body was read is
// TestServeUnaskedBoundsTheWaitForAnUnreadBody's: here net/http clears a
// deadline set then before the next request.)
func TestExpectContinueKeepsTheConnectionOfABodyRead(t *testing.T) {
	s := apitest.NewServer(t, apitest.Options{})
	conn := dial(t, s)
	const body = `{"first_name":"Ab","last_name":"Cd"}`
	fmt.Fprintf(conn, "POST /players HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", len(body))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusContinue {
		t.Fatalf("first answer %d, want 100", resp.StatusCode)
	}
	io.WriteString(conn, body)
	if resp, err = http.ReadResponse(br, nil); err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || resp.Close {
		t.Fatalf("answer to the body: %d, closing %v; want 201 keeping the connection", resp.StatusCode, resp.Close)
	}
	io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, err = http.ReadResponse(br, nil); err != nil {
		t.Fatalf("the next request on the connection: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the next request on the connection: %d, want 200", resp.StatusCode)
	}
}
