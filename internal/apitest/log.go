package apitest

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/ninjagold/ninjagold-api/api"
)

// testLogger sends the server's log to t.Log and fails the test on any
// contract violation the server's own response check reports, so the suite
// holds responses to the contract twice: in the server, and in the harness.
type testLogger struct {
	t testing.TB
	// mu guards done: a test's log must not be written after it ends.
	mu   *sync.Mutex
	done *bool
	// Records keeps every record for tests that assert on the log.
	records *[]slog.Record
	attrs   []slog.Attr
}

func newTestLogger(t testing.TB) (*slog.Logger, *[]slog.Record) {
	var mu sync.Mutex
	done := false
	records := &[]slog.Record{}
	t.Cleanup(func() { mu.Lock(); done = true; mu.Unlock() })
	return slog.New(testLogger{t: t, mu: &mu, done: &done, records: records}), records
}

func (h testLogger) Enabled(context.Context, slog.Level) bool { return true }

func (h testLogger) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if *h.done {
		return nil
	}
	// The record as a handler prints it: the logger's attributes first.
	full := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	full.AddAttrs(h.attrs...)
	r.Attrs(func(a slog.Attr) bool { full.AddAttrs(a); return true })
	r = full
	*h.records = append(*h.records, r)
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	if r.Message == api.ViolationMessage {
		h.t.Errorf("server: %s", b.String())
	} else {
		h.t.Log("server: " + b.String())
	}
	return nil
}

func (h testLogger) WithAttrs(attrs []slog.Attr) slog.Handler {
	h.attrs = append(append([]slog.Attr{}, h.attrs...), attrs...)
	return h
}

func (h testLogger) WithGroup(string) slog.Handler { return h }
