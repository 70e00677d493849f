package api_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// A body that cannot be read is answered 400, naming why, as the contract's
// BadRequest says: cut short before its Content-Length, not arrived within
// the read timeout, or malformed in its chunked framing. The connection
// closes after the answer (net/http closes it: the rest of the request is
// not coming), and each answer is one the contract declares.
func TestUnreadBody(t *testing.T) {
	const start = "POST /players HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
	for _, tc := range []struct {
		name        string
		readTimeout time.Duration // the server's; none but where it is the cause
		send        string
		shut        bool // shut the sending side after send
		detail      string
		message     string
	}{
		{"cut short", 0, start + "Content-Length: 100\r\n\r\n{\"first_na", true,
			"The request body could not be read.", "request body ended before its Content-Length of 100 bytes"},
		{"not arrived in time", 300 * time.Millisecond, start + "Content-Length: 100\r\n\r\n{\"first_na", false,
			"The request body did not arrive in time.", "request body did not arrive within the server's read timeout"},
		{"malformed chunks", 0, start + "Transfer-Encoding: chunked\r\n\r\nzz\r\n", false,
			"The request body could not be read.", "request body could not be read"},
		// Chunked, it has no Content-Length to name.
		{"chunks cut short", 0, start + "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"first", true,
			"The request body could not be read.", "request body could not be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := apitest.NewServer(t, apitest.Options{ReadTimeout: tc.readTimeout})
			conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(30 * time.Second))
			if _, err := io.WriteString(conn, tc.send); err != nil {
				t.Fatal(err)
			}
			if tc.shut {
				if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
					t.Fatal(err)
				}
			}
			r := bufio.NewReader(conn)
			raw, err := http.ReadResponse(r, nil)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(raw.Body)
			if err != nil {
				t.Fatal(err)
			}
			resp := &apitest.Response{Status: raw.StatusCode, Header: raw.Header, Body: body}
			req, _ := http.NewRequest("POST", s.URL+"/players", nil)
			req.Header.Set("Content-Type", "application/json")
			if err := apitest.LoadContract(t).Check(req, resp); err != nil {
				t.Errorf("the answer breaks the contract: %v", err)
			}
			p := resp.Problem(t)
			if resp.Status != http.StatusBadRequest || p.Detail != tc.detail || len(p.Errors) != 1 || p.Errors["body"] != tc.message {
				t.Errorf("got %d %s, want 400 %q with body: %q", resp.Status, body, tc.detail, tc.message)
			}
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			var ne net.Error
			if n, err := r.Read(make([]byte, 1)); n != 0 || err == nil || errors.As(err, &ne) && ne.Timeout() {
				t.Errorf("after the answer read %d bytes, %v, want the connection closed", n, err)
			}
		})
	}
}
