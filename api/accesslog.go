package api

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// NewLogHandler returns the handler the server logs through: slog's JSON
// handler (format "json") or text handler ("text") writing whole lines to
// w, at level and above. w is used as it is when it is a *LogWriter, and
// written through a LogWriter of its own otherwise, so lines never
// interleave.
//
// The access log is the server's most frequent line, one per request, and
// formatting it through slog costs about as much as the rest of the
// request's middleware together. With this JSON handler the observer
// writes that line itself (appendAccessLine): the bytes slog's JSON
// handler writes for the same record, which TestAccessLineMatchesSlog
// compares, at a fraction of the cost. Any other handler, including this
// one after With or WithGroup, gets the line through slog.
func NewLogHandler(w io.Writer, format string, level slog.Level) (slog.Handler, error) {
	lw, ok := w.(*LogWriter)
	if !ok {
		lw = NewLogWriter(w, 0)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "json":
		return &jsonLog{Handler: slog.NewJSONHandler(lw, opts), w: lw}, nil
	case "text":
		return slog.NewTextHandler(lw, opts), nil
	}
	return nil, fmt.Errorf("log format must be json or text, not %q", format)
}

// jsonLog is slog's JSON handler, plus a way in for lines formatted
// elsewhere to the same writer.
type jsonLog struct {
	slog.Handler
	w *LogWriter
}

// accessFields formats an operation's fixed fields as slog's JSON handler
// writes them after the time: level, message, method, route and
// operation. It reports false when a value would need escaping (which
// slog does and this does not), leaving that operation's line to slog.
func accessFields(method, route, operation string) ([]byte, bool) {
	for _, s := range []string{method, route, operation} {
		if !plainJSON(s) {
			return nil, false
		}
	}
	return fmt.Appendf(nil, `","level":"INFO","msg":"request","method":"%s","route":"%s","operation":"%s"`, method, route, operation), true
}

// plainJSON reports whether s goes into a JSON string unescaped: printable
// ASCII other than the quote and the backslash.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// appendAccessLine writes the access log's line as slog's JSON handler
// writes the record accessLog makes: the time, the operation's fields
// (accessFields), then status, duration in nanoseconds, bytes, the client's
// address and the request id, which is always plain (validRequestID or
// hex). It reports false for a time slog would not write as RFC 3339, and
// for a client slog would escape (an address never needs it; checked all
// the same, since Gin gives it).
func appendAccessLine(b []byte, now time.Time, fields []byte, status int, elapsed time.Duration, size int, client, id string) ([]byte, bool) {
	sec := secondOf(now)
	if !sec.ok || !plainJSON(client) {
		return b, false
	}
	b = append(b, `{"time":"`...)
	b = sec.appendTime(b, now)
	b = append(b, fields...)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(elapsed), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, int64(size), 10)
	b = append(b, `,"client":"`...)
	b = append(b, client...)
	b = append(b, `","request_id":"`...)
	b = append(b, id...)
	return append(b, "\"}\n"...), true
}

// second is one second of one location as time.RFC3339Nano formats it,
// less the fraction: "2006-01-02T15:04:05" and "Z07:00". Every access line
// of that second shares them (lastSecond), so a line formats only its
// nanoseconds. Formatting the date and clock is most of AppendFormat's
// work (docs/benchmarks-history.md, "Fewer instructions per GET").
type second struct {
	unix        int64
	loc         *time.Location
	clock, zone string
	ok          bool // false: a year slog would not write as RFC 3339
}

// lastSecond is the second of the latest access line.
var lastSecond atomic.Pointer[second]

// secondOf returns now's second, made anew when it is not lastSecond's.
// The cache is keyed on the Unix second and the location, so a change of
// zone offset, which happens on a whole second, starts a new one.
func secondOf(now time.Time) *second {
	unix, loc := now.Unix(), now.Location()
	if s := lastSecond.Load(); s != nil && s.unix == unix && s.loc == loc {
		return s
	}
	s := &second{unix: unix, loc: loc}
	if y := now.Year(); y >= 0 && y < 10000 {
		text := now.Format(time.RFC3339) // RFC3339 has no fraction
		s.clock, s.zone, s.ok = text[:len("2006-01-02T15:04:05")], text[len("2006-01-02T15:04:05"):], true
	}
	lastSecond.Store(s)
	return s
}

// appendTime appends now, which falls in s, as time.RFC3339Nano formats
// it: the fraction has no trailing zeros, and no dot when it is zero.
func (s *second) appendTime(b []byte, now time.Time) []byte {
	b = append(b, s.clock...)
	if ns := now.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i > 0; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := len(frac)
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, s.zone...)
}

var lineBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}
