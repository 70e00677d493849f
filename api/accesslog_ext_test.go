package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/ninjagold/ninjagold-api/api"
	"github.com/ninjagold/ninjagold-api/internal/apitest"
)

// TestJSONAccessLog serves requests, concurrent ones included, through a
// server logging with NewLogHandler's JSON handler (as cmd/ninjagold does)
// and checks every line: one per request, whole JSON, with its fields.
// The destination is a plain bytes.Buffer: the handler itself must keep
// concurrent lines apart (under -race, a write it does not serialize is
// reported).
func TestJSONAccessLog(t *testing.T) {
	var out bytes.Buffer
	h, err := api.NewLogHandler(&out, "json", slog.LevelInfo)
	if err != nil {
		t.Fatal(err)
	}
	s := apitest.NewServer(t, apitest.Options{Config: api.Config{Logger: slog.New(h)}})
	const n = 32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s.Do(t, apitest.Request{Method: "GET", Path: fmt.Sprintf("/locations/%d", i%5+1), Header: map[string]string{"X-Request-Id": fmt.Sprintf("req-%d", i)}})
		})
	}
	wg.Wait()
	s.Do(t, apitest.Request{Method: "GET", Path: "/nowhere"}) // no operation: through slog

	type line struct {
		Time, Level, Msg, Method, Route, Operation, Client, RequestID string
		Status, Bytes                                                 int
		Duration                                                      int64
	}
	seen := map[string]line{}
	var unknown int
	for _, raw := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var l struct {
			line
			RequestID string `json:"request_id"`
		}
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		if l.Msg != "request" {
			continue
		}
		if l.Client != "127.0.0.1" {
			t.Errorf("client %q, want the test client's 127.0.0.1: %s", l.Client, raw)
		}
		l.line.RequestID = l.RequestID
		if l.Operation == "none" {
			unknown++
			continue
		}
		seen[l.line.RequestID] = l.line
	}
	if unknown != 1 {
		t.Errorf("%d access lines for the unknown route, want 1", unknown)
	}
	for i := range n {
		id := fmt.Sprintf("req-%d", i)
		l, ok := seen[id]
		switch {
		case !ok:
			t.Errorf("no access line for %s", id)
		case l.Level != "INFO" || l.Method != "GET" || l.Route != "/locations/:id" || l.Operation != "getLocation" || l.Time == "":
			t.Errorf("%s: line %+v", id, l)
		case (i%5+1 <= 4) != (l.Status == 200), l.Bytes <= 0, l.Duration <= 0:
			t.Errorf("%s: status, bytes or duration wrong: %+v", id, l)
		}
	}
}
