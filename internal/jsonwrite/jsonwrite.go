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
//
// A time in UTC, as every time the stores return is, is written here
// digit by digit, in under half the instructions of AppendFormat (480
// against 1,010 a call of BenchmarkTime under callgrind): a location
// carries two times, a player and a visit one each, and a page up to a
// hundred of them. Other zones go through AppendFormat.
func Time(b []byte, t time.Time) ([]byte, bool) {
	if t.Location() == time.UTC {
		return utcTime(b, t)
	}
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

// pairs holds the two digits of 0 to 99, at twice the number.
const pairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

// The Unix times of 0000-01-01 and 10000-01-01, midnight UTC.
const (
	unixYear0     = -62167219200
	unixYear10000 = 253402300800
)

// utcTime is Time for a time in UTC: "YYYY-MM-DDThh:mm:ss[.fraction]Z",
// the fraction's trailing zeros left out, as RFC3339Nano writes it.
func utcTime(b []byte, t time.Time) ([]byte, bool) {
	sec := t.Unix()
	if sec < unixYear0 || sec >= unixYear10000 {
		return b, false
	}
	// The civil date of a day count, by Howard Hinnant's days-to-civil
	// algorithm (http://howardhinnant.github.io/date_algorithms.html):
	// years of 400 (eras) from 0000-03-01, so that a leap day ends its
	// year. From year 0 on, the day count since then is never negative.
	days := (sec - unixYear0) / 86400 // days since 0000-01-01
	clock := int((sec - unixYear0) % 86400)
	z := days - 60 + 146097 // since 0000-03-01, one era early: never negative
	era := z / 146097
	doe := z - era*146097                                  // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365], from March 1
	mp := (5*doy + 2) / 153                                // [0, 11], March first
	day := int(doy - (153*mp+2)/5 + 1)                     // [1, 31]
	year := int(yoe + (era-1)*400)
	month := int(mp + 3)
	if month > 12 {
		month -= 12
		year++
	}

	hour, minute, second := clock/3600, clock/60%60, clock%60
	b = append(b, '"',
		pairs[year/100*2], pairs[year/100*2+1], pairs[year%100*2], pairs[year%100*2+1], '-',
		pairs[month*2], pairs[month*2+1], '-', pairs[day*2], pairs[day*2+1], 'T',
		pairs[hour*2], pairs[hour*2+1], ':', pairs[minute*2], pairs[minute*2+1], ':',
		pairs[second*2], pairs[second*2+1])
	if ns := t.Nanosecond(); ns != 0 {
		// Nine digits less the trailing zeros. The stores keep
		// microseconds, so groups of three zeros go first.
		n := 9
		for ns%1000 == 0 {
			ns /= 1000
			n -= 3
		}
		for ns%10 == 0 {
			ns /= 10
			n--
		}
		var frac [10]byte
		frac[0] = '.'
		for i := n; i > 0; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		b = append(b, frac[:n+1]...)
	}
	return append(b, 'Z', '"'), true
}

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

// ContentType is the Content-Type of every JSON response, as its value in
// a header map: one slice for them all, where each response made its own
// (an allocation each). A header map's values are replaced (Header.Set)
// or copied when added to (Header.Add appends to a full slice), never
// written in place, and net/http copies the map before it writes it.
var ContentType = []string{"application/json"}

// Send finishes a response as oapi-codegen's writers do once the headers
// are set: the status, then the body with json.Encoder's trailing newline,
// in one Write.
func Send(w http.ResponseWriter, status int, body *[]byte) error {
	*body = append(*body, '\n')
	w.WriteHeader(status)
	_, err := w.Write(*body)
	return err
}
