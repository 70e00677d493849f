package impl

import (
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/oapi-codegen/nullable"

	"github.com/ninjagold/ninjagold-api/generated"
)

// The generated strict handlers write a JSON response by running
// encoding/json over the body (reflection, a Marshaler call and a compacting
// pass per time.Time) into a fresh buffer. That is the largest cost of a
// GET after the database read. The responses served most often are written
// here instead: by hand, into a pooled buffer, with the same headers and
// the same bytes as the generated code writes. encode_test.go holds that
// promise by running both writers on generated and fuzzed values and
// comparing status, headers and body byte for byte. A value this code
// cannot write exactly as encoding/json does (a time outside RFC 3339's
// range, which encoding/json refuses) goes to the generated writer, so
// even the error is the same.
//
// Each response type embeds the generated one: the handlers fill the same
// struct as before, and only the writer changes.

type (
	getLocationJSON struct {
		generated.GetLocation200JSONResponse
	}
	listLocationsJSON struct {
		generated.ListLocations200JSONResponse
	}
	createPlayerJSON struct {
		generated.CreatePlayer201JSONResponse
	}
	getPlayerJSON struct {
		generated.GetPlayer200JSONResponse
	}
	listPlayersJSON struct {
		generated.ListPlayers200JSONResponse
	}
	createVisitJSON struct {
		generated.CreateVisit201JSONResponse
	}
	getVisitJSON struct {
		generated.GetVisit200JSONResponse
	}
	listVisitsJSON struct {
		generated.ListVisits200JSONResponse
	}
)

func (r getLocationJSON) VisitGetLocationResponse(w http.ResponseWriter) error {
	buf := getBuffer()
	defer putBuffer(buf)
	var ok bool
	if *buf, ok = appendLocation(*buf, &r.Body); !ok {
		return r.GetLocation200JSONResponse.VisitGetLocationResponse(w)
	}
	hs := &r.Headers
	return writeJSON(w, http.StatusOK, buf, headers{
		hs.AccessControlAllowOrigin, hs.AccessControlExposeHeaders, hs.RateLimit, hs.RateLimitPolicy, hs.Vary, hs.XRequestID,
		[2]header{{"ETag", hs.ETag}}})
}

func (r listLocationsJSON) VisitListLocationsResponse(w http.ResponseWriter) error {
	buf := getBuffer()
	defer putBuffer(buf)
	var ok bool
	if *buf, ok = appendLocationList(*buf, &r.Body); !ok {
		return r.ListLocations200JSONResponse.VisitListLocationsResponse(w)
	}
	hs := &r.Headers
	return writeJSON(w, http.StatusOK, buf, headers{
		hs.AccessControlAllowOrigin, hs.AccessControlExposeHeaders, hs.RateLimit, hs.RateLimitPolicy, hs.Vary, hs.XRequestID,
		[2]header{optional("Link", hs.Link)}})
}

func (r createPlayerJSON) VisitCreatePlayerResponse(w http.ResponseWriter) error {
	buf := getBuffer()
	defer putBuffer(buf)
	var ok bool
	if *buf, ok = appendNewPlayerResult(*buf, &r.Body); !ok {
		return r.CreatePlayer201JSONResponse.VisitCreatePlayerResponse(w)
	}
	hs := &r.Headers
	return writeJSON(w, http.StatusCreated, buf, headers{
		hs.AccessControlAllowOrigin, hs.AccessControlExposeHeaders, hs.RateLimit, hs.RateLimitPolicy, hs.Vary, hs.XRequestID,
		[2]header{{"Location", hs.Location}}})
}

func (r getPlayerJSON) VisitGetPlayerResponse(w http.ResponseWriter) error {
	buf := getBuffer()
	defer putBuffer(buf)
	var ok bool
	if *buf, ok = appendPlayer(*buf, &r.Body); !ok {
		return r.GetPlayer200JSONResponse.VisitGetPlayerResponse(w)
	}
	hs := &r.Headers
	return writeJSON(w, http.StatusOK, buf, headers{
		hs.AccessControlAllowOrigin, hs.AccessControlExposeHeaders, hs.RateLimit, hs.RateLimitPolicy, hs.Vary, hs.XRequestID,
		[2]header{}})
}

func (r listPlayersJSON) VisitListPlayersResponse(w http.ResponseWriter) error {
	buf := getBuffer()
	defer putBuffer(buf)
	var ok bool
	if *buf, ok = appendPlayerList(*buf, &r.Body); !ok {
		return r.ListPlayers200JSONResponse.VisitListPlayersResponse(w)
	}
	hs := &r.Headers
	return writeJSON(w, http.StatusOK, buf, headers{
		hs.AccessControlAllowOrigin, hs.AccessControlExposeHeaders, hs.RateLimit, hs.RateLimitPolicy, hs.Vary, hs.XRequestID,
		[2]header{optional("Link", hs.Link)}})
}

func (r createVisitJSON) VisitCreateVisitResponse(w http.ResponseWriter) error {
	buf := getBuffer()
	defer putBuffer(buf)
	var ok bool
	if *buf, ok = appendVisit(*buf, &r.Body); !ok {
		return r.CreateVisit201JSONResponse.VisitCreateVisitResponse(w)
	}
	hs := &r.Headers
	return writeJSON(w, http.StatusCreated, buf, headers{
		hs.AccessControlAllowOrigin, hs.AccessControlExposeHeaders, hs.RateLimit, hs.RateLimitPolicy, hs.Vary, hs.XRequestID,
		[2]header{optional("Idempotent-Replayed", hs.IdempotentReplayed), {"Location", hs.Location}}})
}

func (r getVisitJSON) VisitGetVisitResponse(w http.ResponseWriter) error {
	buf := getBuffer()
	defer putBuffer(buf)
	var ok bool
	if *buf, ok = appendVisit(*buf, &r.Body); !ok {
		return r.GetVisit200JSONResponse.VisitGetVisitResponse(w)
	}
	hs := &r.Headers
	return writeJSON(w, http.StatusOK, buf, headers{
		hs.AccessControlAllowOrigin, hs.AccessControlExposeHeaders, hs.RateLimit, hs.RateLimitPolicy, hs.Vary, hs.XRequestID,
		[2]header{}})
}

func (r listVisitsJSON) VisitListVisitsResponse(w http.ResponseWriter) error {
	buf := getBuffer()
	defer putBuffer(buf)
	var ok bool
	if *buf, ok = appendVisitList(*buf, &r.Body); !ok {
		return r.ListVisits200JSONResponse.VisitListVisitsResponse(w)
	}
	hs := &r.Headers
	return writeJSON(w, http.StatusOK, buf, headers{
		hs.AccessControlAllowOrigin, hs.AccessControlExposeHeaders, hs.RateLimit, hs.RateLimitPolicy, hs.Vary, hs.XRequestID,
		[2]header{optional("Link", hs.Link)}})
}

// headers are a response's headers: those every JSON response of the
// contract may carry (nil: not sent), and up to two of its own (an empty
// key: not sent).
type headers struct {
	allowOrigin, exposeHeaders, rateLimit, rateLimitPolicy, vary, requestID *string
	own                                                                     [2]header
}

type header struct{ key, value string }

// optional is the header key: *v, or none when v is nil.
func optional(key string, v *string) header {
	if v == nil {
		return header{}
	}
	return header{key, *v}
}

// writeJSON sends a body appended to buf as the generated writers do:
// Content-Type and the headers, the status, then the body with
// json.Encoder's trailing newline in one Write. (The body is written
// first, by the caller, so that a value the hand-written code cannot write
// goes to the generated writer before any header is set.)
func writeJSON(w http.ResponseWriter, status int, buf *[]byte, hs headers) error {
	*buf = append(*buf, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	for _, kv := range [...]header{
		optional("Access-Control-Allow-Origin", hs.allowOrigin), optional("Access-Control-Expose-Headers", hs.exposeHeaders),
		optional("RateLimit", hs.rateLimit), optional("RateLimit-Policy", hs.rateLimitPolicy), optional("Vary", hs.vary),
		optional("X-Request-ID", hs.requestID), hs.own[0], hs.own[1],
	} {
		if kv.key != "" {
			h.Set(kv.key, kv.value)
		}
	}
	w.WriteHeader(status)
	_, err := w.Write(*buf)
	return err
}

// Response buffers are pooled; one that grew past maxPooled (a long list)
// is left to the garbage collector rather than kept for every request.
const maxPooled = 64 << 10

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

func getBuffer() *[]byte { return buffers.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) > maxPooled {
		return
	}
	*b = (*b)[:0]
	buffers.Put(b)
}

// The appenders below write the generated types' JSON: fields in struct
// order (oapi-codegen sorts them by name), as encoding/json does. Each
// reports false when a value cannot be written as encoding/json would.

func appendLocation(b []byte, l *generated.Location) ([]byte, bool) {
	b = append(b, `{"created_at":`...)
	b, ok1 := appendTime(b, l.CreatedAt)
	b = append(b, `,"description":`...)
	b = appendString(b, l.Description)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, l.Id, 10)
	b = append(b, `,"max_gold":`...)
	b = strconv.AppendInt(b, int64(l.MaxGold), 10)
	b = append(b, `,"min_gold":`...)
	b = strconv.AppendInt(b, int64(l.MinGold), 10)
	b = append(b, `,"name":`...)
	b = appendString(b, l.Name)
	b = append(b, `,"updated_at":`...)
	b, ok2 := appendTime(b, l.UpdatedAt)
	return append(b, '}'), ok1 && ok2
}

func appendPlayer(b []byte, p *generated.Player) ([]byte, bool) {
	b = append(b, `{"created_at":`...)
	b, ok := appendTime(b, p.CreatedAt)
	b = append(b, `,"first_name":`...)
	b = appendString(b, p.FirstName)
	b = append(b, `,"gold":`...)
	b = strconv.AppendInt(b, p.Gold, 10)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, p.Id, 10)
	b = append(b, `,"last_name":`...)
	b = appendString(b, p.LastName)
	return append(b, '}'), ok
}

func appendNewPlayerResult(b []byte, p *generated.NewPlayerResult) ([]byte, bool) {
	b = append(b, `{"created_at":`...)
	b, ok := appendTime(b, p.CreatedAt)
	b = append(b, `,"first_name":`...)
	b = appendString(b, p.FirstName)
	b = append(b, `,"gold":`...)
	b = strconv.AppendInt(b, p.Gold, 10)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, p.Id, 10)
	b = append(b, `,"last_name":`...)
	b = appendString(b, p.LastName)
	b = append(b, `,"token":`...)
	b = appendString(b, p.Token)
	return append(b, '}'), ok
}

func appendVisit(b []byte, v *generated.Visit) ([]byte, bool) {
	b = append(b, `{"balance":`...)
	b = strconv.AppendInt(b, v.Balance, 10)
	b = append(b, `,"created_at":`...)
	b, ok := appendTime(b, v.CreatedAt)
	b = append(b, `,"gold":`...)
	b = strconv.AppendInt(b, int64(v.Gold), 10)
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, v.Id, 10)
	b = append(b, `,"location_id":`...)
	b = strconv.AppendInt(b, v.LocationId, 10)
	b = append(b, `,"location_name":`...)
	b = appendString(b, v.LocationName)
	b = append(b, `,"message":`...)
	b = appendString(b, v.Message)
	b = append(b, `,"player_id":`...)
	b = strconv.AppendInt(b, v.PlayerId, 10)
	return append(b, '}'), ok
}

func appendLocationList(b []byte, l *generated.LocationList) ([]byte, bool) {
	return appendList(b, l.Items, l.NextCursor, appendLocation)
}

func appendPlayerList(b []byte, l *generated.PlayerList) ([]byte, bool) {
	return appendList(b, l.Items, l.NextCursor, appendPlayer)
}

func appendVisitList(b []byte, l *generated.VisitList) ([]byte, bool) {
	return appendList(b, l.Items, l.NextCursor, appendVisit)
}

// appendList writes a page: {"items":[...],"next_cursor":...}. A nil slice
// is null and an unset cursor "", as encoding/json writes them.
func appendList[T any](b []byte, items []T, next nullable.Nullable[string], item func([]byte, *T) ([]byte, bool)) ([]byte, bool) {
	b = append(b, `{"items":`...)
	if items == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range items {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = item(b, &items[i]); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"next_cursor":`...)
	if next.IsNull() {
		b = append(b, "null"...)
	} else {
		b = appendString(b, next[true]) // Nullable's MarshalJSON: "" when unset
	}
	return append(b, '}'), true
}

// appendTime writes t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds, quoted) and reports false for the times MarshalJSON refuses:
// a year outside [0,9999] or a zone offset of 24 hours or more.
func appendTime(b []byte, t time.Time) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	if _, offset := t.Zone(); offset <= -24*60*60 || offset >= 24*60*60 {
		return b, false
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}

// appendString writes s as a JSON string exactly as encoding/json does
// with HTML escaping on (json.Encoder's default): <, > and & as \u003c,
// \u003e and \u0026, control characters escaped, invalid UTF-8 as \ufffd,
// and U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe(c) {
				i++
				continue
			}
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

// htmlSafe reports whether the ASCII byte c goes into a JSON string as is
// when HTML escaping is on.
func htmlSafe(c byte) bool {
	return c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}
