// Package jsonwrite appends JSON values exactly as encoding/json's Encoder
// writes them (HTML escaping on, its default), for the response writers
// internal/writergen generates from the contract into generated/.
//
// Why: the generated strict handlers write a JSON response by running
// encoding/json over the body (reflection, a Marshaler call and a
// compacting pass per time.Time) into a fresh buffer, the largest cost of
// a GET after the database read. Code that knows the type at generation
// time needs none of that, only these few functions for the values whose
// encoding has rules of its own: strings, times and nullable values. Each
// is held to encoding/json's bytes by this package's tests, and the
// writers built on them by internal/writergen's.
package jsonwrite

import (
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/oapi-codegen/nullable"
)

// String appends s as a JSON string exactly as encoding/json does with
// HTML escaping on: <, > and & as \u003c, \u003e and \u0026, control
// characters escaped, invalid UTF-8 as \ufffd, and U+2028 and U+2029
// escaped.
func String(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && safe[s[i]] { // the common case, in a tight loop
			i++
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// safe tells, for each byte, whether it goes into a JSON string as is when
// HTML escaping is on: printable ASCII but for the quote, the backslash, <,
// > and &. A byte of a multi-byte sequence is not, so String decodes its
// rune. Under callgrind the table and the tight loop in String halve the
// cost of a GET's strings against six comparisons per byte.
var safe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = !strings.ContainsRune(`"\<>&`, rune(c))
	}
	return t
}()

// Time appends t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds, quoted) and reports false, appending nothing, for the times
// MarshalJSON refuses: a year outside [0,9999] or a zone offset of 24 hours
// or more. The caller then leaves the whole value to encoding/json, so
// even the error is the same.
func Time(b []byte, t time.Time) ([]byte, bool) {
	_, offset := t.Zone()
	if offset <= -24*60*60 || offset >= 24*60*60 {
		return b, false
	}
	// The year, from the Unix time in t's zone: t.Year() would work out
	// the whole date, which AppendFormat does again.
	if local := t.Unix() + int64(offset); local < unixYear0 || local >= unixYear10000 {
		return b, false
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}

// The Unix times of 0000-01-01 and 10000-01-01, midnight UTC.
const (
	unixYear0     = -62167219200
	unixYear10000 = 253402300800
)

// NullableString appends n as its MarshalJSON does: null when it is null,
// else its string, "" when it is unset (a member that is never left out of
// the object).
func NullableString(b []byte, n nullable.Nullable[string]) []byte {
	if n.IsNull() {
		return append(b, "null"...)
	}
	return String(b, n[true])
}

// Response buffers are pooled; one that grew past maxPooled (a long list)
// is left to the garbage collector rather than kept for every request.
const maxPooled = 64 << 10

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Buffer returns an empty buffer from the pool; Release gives it back.
func Buffer() *[]byte { return buffers.Get().(*[]byte) }

// Release returns b to the pool. b must not be used after.
func Release(b *[]byte) {
	if cap(*b) > maxPooled {
		return
	}
	*b = (*b)[:0]
	buffers.Put(b)
}

// Send finishes a response as oapi-codegen's writers do once the headers
// are set: the status, then the body with json.Encoder's trailing newline,
// in one Write.
func Send(w http.ResponseWriter, status int, body *[]byte) error {
	*body = append(*body, '\n')
	w.WriteHeader(status)
	_, err := w.Write(*body)
	return err
}
