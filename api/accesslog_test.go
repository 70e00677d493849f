package api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

// TestAccessLineMatchesSlog writes every operation's access line both ways,
// by hand and through slog's JSON handler with the operation's fields
// added, and requires the same bytes.
func TestAccessLineMatchesSlog(t *testing.T) {
	_, ops := testOperations(t)
	var slogged bytes.Buffer
	h, err := NewLogHandler(&slogged, "json", slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	times := []time.Time{
		time.Date(2026, 12, 1, 10, 40, 0, 0, time.UTC),
		time.Date(2026, 12, 1, 10, 40, 0, 123456789, time.UTC),
		time.Date(2026, 12, 1, 10, 40, 0, 120000000, time.FixedZone("IST", 5*3600+30*60)),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.FixedZone("", -(12*3600+45*60+30))),
		time.Now(), // Local, with a monotonic reading
	}
	cases := []struct {
		status  int
		elapsed time.Duration
		size    int
		client  string
		id      string
	}{
		{200, 12345 * time.Nanosecond, 180, "192.0.2.1", "0123456789abcdef0123456789abcdef"},
		{404, 0, 0, "2001:db8::1", "client-chosen_id.1"},
		{500, 90 * time.Second, 1 << 20, "", "X"}, // Gin's ClientIP for an address it cannot parse
	}
	n := 0
	for method, routes := range ops.byRoute {
		for route, op := range routes {
			fields, ok := accessFields(method, route, op.route.Operation.OperationID)
			if !ok {
				t.Fatalf("%s %s: fields need escaping; every route of the contract should be plain", method, route)
			}
			opHandler := h.WithAttrs([]slog.Attr{
				slog.String("method", method), slog.String("route", route), slog.String("operation", op.route.Operation.OperationID),
			})
			for _, now := range times {
				for _, c := range cases {
					slogged.Reset()
					slogAccessLine(context.Background(), opHandler, now, c.client, c.id, c.status, c.elapsed, c.size)
					got, ok := appendAccessLine(nil, now, fields, c.status, c.elapsed, c.size, c.client, c.id)
					if !ok || string(got) != slogged.String() {
						t.Fatalf("access line (ok %v)\n got %s\nwant %s", ok, got, slogged.Bytes())
					}
					n++
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no operations")
	}
}

// TestAccessLineTime formats a run of times, one after another as the
// access lines of a server would, and requires AppendFormat's bytes for
// each: the cached second must be left when the second or the location
// changes, and the fraction written as RFC3339Nano writes it.
func TestAccessLineTime(t *testing.T) {
	ist := time.FixedZone("IST", 5*3600+30*60)
	at := func(sec, ns int, loc *time.Location) time.Time {
		return time.Date(2026, 12, 1, 10, 40, sec, ns, time.UTC).In(loc)
	}
	times := []time.Time{
		at(0, 0, time.UTC),
		at(0, 1, time.UTC), // same second, another fraction
		at(0, 100000000, time.UTC),
		at(0, 999999999, time.UTC),
		at(0, 120000000, ist), // same second, another zone
		at(1, 120000000, ist),
		at(1, 120000000, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 1, time.FixedZone("", -(12*3600+45*60+30))),
		time.Now(),
	}
	if berlin, err := time.LoadLocation("Europe/Berlin"); err == nil {
		// Summer time began at 01:00 UTC on 29 March 2026.
		for _, s := range []string{"2026-03-29T00:59:59.5Z", "2026-03-29T01:00:00.5Z", "2026-03-29T01:00:00.75Z"} {
			u, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				t.Fatal(err)
			}
			times = append(times, u.In(berlin))
		}
	} else {
		t.Logf("no time zone data, no summer time case: %v", err)
	}
	for _, now := range times {
		s := secondOf(now)
		if !s.ok {
			t.Fatalf("%v: refused", now)
		}
		want := now.AppendFormat(nil, time.RFC3339Nano)
		if got := s.appendTime(nil, now); string(got) != string(want) {
			t.Errorf("%v: got %s, want %s", now, got, want)
		}
	}
}

func TestAccessLineRefusals(t *testing.T) {
	for _, s := range []string{`/a"b`, `/a\b`, "/caf\u00e9", "/a\nb"} {
		if _, ok := accessFields("GET", s, "op"); ok {
			t.Errorf("accessFields took %q, which slog escapes", s)
		}
	}
	if _, ok := appendAccessLine(nil, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), nil, 200, 0, 0, "192.0.2.1", "x"); ok {
		t.Error("appendAccessLine wrote a year slog refuses")
	}
	for _, client := range []string{`a"b`, `a\b`, "fe80::1%\u00e9", "a\nb"} {
		if _, ok := appendAccessLine(nil, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), nil, 200, 0, 0, client, "x"); ok {
			t.Errorf("appendAccessLine took the client %q, which slog escapes", client)
		}
	}
}

func TestNewLogHandlerFormats(t *testing.T) {
	var buf bytes.Buffer
	for _, format := range []string{"json", "text"} {
		h, err := NewLogHandler(&buf, format, slog.LevelWarn)
		if err != nil {
			t.Fatal(err)
		}
		if h.Enabled(context.Background(), slog.LevelInfo) || !h.Enabled(context.Background(), slog.LevelWarn) {
			t.Errorf("%s: the level is not applied", format)
		}
	}
	if _, err := NewLogHandler(&buf, "xml", slog.LevelInfo); err == nil {
		t.Error("format xml was taken")
	}
}

// BenchmarkAccessLine compares the two ways of writing the access line:
// through slog's JSON handler and by hand (to a discarding writer).
func BenchmarkAccessLine(b *testing.B) {
	h, err := NewLogHandler(io.Discard, "json", slog.LevelInfo)
	if err != nil {
		b.Fatal(err)
	}
	const method, route, operation = "GET", "/locations/:id", "getLocation"
	id := newRequestID()
	b.Run("slog", func(b *testing.B) {
		opHandler := h.WithAttrs([]slog.Attr{slog.String("method", method), slog.String("route", route), slog.String("operation", operation)})
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			slogAccessLine(ctx, opHandler, time.Now(), "192.0.2.1", id, 200, 12345*time.Nanosecond, 180)
		}
	})
	b.Run("hand-written", func(b *testing.B) {
		fields, _ := accessFields(method, route, operation)
		w := h.(*jsonLog).w
		buf := make([]byte, 0, 512)
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = appendAccessLine(buf[:0], time.Now(), fields, 200, 12345*time.Nanosecond, 180, "192.0.2.1", id)
			_, _ = w.Write(buf)
		}
	})
}

// TestClientAddr gives the client of requests from one connection each,
// with no proxy trusted and with one that is not the connection.
func TestClientAddr(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	for _, proxies := range [][]string{nil, {"10.0.0.1"}} {
		for _, tt := range []struct{ remote, want string }{
			{"192.0.2.1:1234", "192.0.2.1"},
			{"[2001:db8::1]:1234", "2001:db8::1"},
			{"[::ffff:192.0.2.1]:1234", "192.0.2.1"},
			{"[fe80::1%eth0]:1234", "fe80::1%eth0"}, // Gin's ClientIP gives none
		} {
			c, e := gin.CreateTestContext(httptest.NewRecorder())
			if err := e.SetTrustedProxies(proxies); err != nil {
				t.Fatal(err)
			}
			c.Request = httptest.NewRequest("GET", "/", nil)
			c.Request.RemoteAddr = tt.remote
			c.Request.Header.Set("X-Forwarded-For", "203.0.113.9") // from no trusted proxy
			if got := clientAddr(c, proxies != nil); got != tt.want {
				t.Errorf("proxies %v, %s: client %q, want %q", proxies, tt.remote, got, tt.want)
			}
		}
	}
	// From the trusted proxy: the address it forwards, an IPv4-mapped one
	// as IPv4.
	for _, tt := range []struct{ forwarded, want string }{
		{"203.0.113.9", "203.0.113.9"},
		{"::ffff:203.0.113.9", "203.0.113.9"},
		{"2001:db8::7", "2001:db8::7"},
		{"", "10.0.0.1"}, // none forwarded: the proxy's own
	} {
		c, e := gin.CreateTestContext(httptest.NewRecorder())
		if err := e.SetTrustedProxies([]string{"10.0.0.1"}); err != nil {
			t.Fatal(err)
		}
		c.Request = httptest.NewRequest("GET", "/", nil)
		c.Request.RemoteAddr = "10.0.0.1:1234"
		if tt.forwarded != "" {
			c.Request.Header.Set("X-Forwarded-For", tt.forwarded)
		}
		if got := clientAddr(c, true); got != tt.want {
			t.Errorf("forwarded %q by the trusted proxy: client %q, want %q", tt.forwarded, got, tt.want)
		}
	}
}
