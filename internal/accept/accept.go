// Package accept negotiates a response's media type from a request's Accept
// header (RFC 9110, section 12.5.1). The api package's validator asks it for
// every operation, with the media types the contract declares; a handler
// that learns its one type only as it runs (a /docs file) asks it for that
// type. One parser for both, so they cannot disagree. It also reads
// Accept-Encoding (RFC 9110, section 12.5.3), for the /docs files and the
// contract, which may be sent compressed.
package accept

import (
	"mime"
	"strconv"
	"strings"
)

// Offer is a media type a response can have, as openapi.yaml names it
// (text/csv; charset=utf-8), parsed once.
type Offer struct {
	name, typ, sub string
	params         map[string]string // nil when there are none
}

// Offers parses the media types of the contract, which parse: a failure
// would leave an offer no range with parameters matches.
func Offers(types ...string) []Offer {
	offers := make([]Offer, 0, len(types))
	for _, t := range types {
		essence, params, _ := ParseMediaType(t)
		if essence == "" {
			essence = t
		}
		if len(params) == 0 {
			params = nil
		}
		typ, sub, _ := strings.Cut(essence, "/")
		offers = append(offers, Offer{name: t, typ: typ, sub: sub, params: params})
	}
	return offers
}

// ParseMediaType is mime.ParseMediaType for a Content-Type or an element
// of Accept, but for two readings of RFC 9110 that mime does not share:
//   - the empty parameters §5.6.6 allows (parameters = *( OWS ";" OWS [
//     parameter ] )), which mime refuses: application/json;;charset=utf-8
//     is application/json with a charset;
//   - a quoted-pair (§5.6.4) stands for the character it escapes, whichever
//     that is, where mime keeps the backslash before any character outside
//     its tspecials, a letter, a digit, "-", "." or a space among them (for
//     file paths some browsers send unescaped): charset="utf\-8" is utf-8.
func ParseMediaType(v string) (mediatype string, params map[string]string, err error) {
	v = quotedPairs(v)
	mediatype, params, err = mime.ParseMediaType(v)
	if err != nil {
		if s, ok := withoutEmptyParams(v); ok {
			return mime.ParseMediaType(s)
		}
	}
	return mediatype, params, err
}

// quotedPairs rewrites each quoted-pair in v's quoted strings that escapes
// a character mime would not unescape as that character alone, and leaves
// the others (\" and \\ among them) to mime.
func quotedPairs(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	quoted := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case quoted && c == '\\' && i+1 < len(v):
			i++
			if strings.IndexByte(tspecials, v[i]) >= 0 {
				b.WriteByte('\\')
			}
			c = v[i]
		case c == '"':
			quoted = !quoted
		}
		b.WriteByte(c)
	}
	return b.String()
}

// tspecials are the characters mime unescapes in a quoted string (RFC
// 2045's tspecials).
const tspecials = `()<>@,;:\"/[]?=`

// withoutEmptyParams drops the parameters of v that are empty or white
// space, outside quoted strings, and reports whether it dropped any.
func withoutEmptyParams(v string) (string, bool) {
	var b strings.Builder
	dropped, quoted, start := false, false, 0
	segment := func(end int) {
		seg := v[start:end]
		if start > 0 && strings.TrimSpace(seg) == "" {
			dropped = true
			return
		}
		if start > 0 {
			b.WriteByte(';')
		}
		b.WriteString(seg)
	}
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == ';':
			segment(i)
			start = i + 1
		}
	}
	segment(len(v))
	return b.String(), dropped
}

// Names lists offers as Accept could name them, for a 406.
func Names(offers []Offer) string {
	names := make([]string, len(offers))
	for i, o := range offers {
		names[i] = o.name
	}
	return strings.Join(names, ", ")
}

// Negotiate picks, from the media types a response can have (in the
// server's order of preference), the one the Accept header ranks highest
// (RFC 9110 §12.5.1), by name. A missing Accept accepts anything, and so
// does one that lists nothing: a list of empty elements ("," or ", ,") is
// an empty list (RFC 9110 §5.6.1.2). It returns false when nothing offered
// is acceptable.
func Negotiate(accept string, offers []Offer) (string, bool) {
	if len(offers) == 0 {
		return "", true
	}
	if strings.Trim(accept, " \t,") == "" || accept == "*/*" {
		return offers[0].name, true
	}
	for _, o := range offers {
		if o.name == accept {
			// A single media range naming an offer: only that offer matches.
			return accept, true
		}
	}
	ranges := parseAccept(accept)
	best, bestQ := "", 0.0
	for _, o := range offers {
		if q := qualityOf(o, ranges); q > bestQ {
			best, bestQ = o.name, q
		}
	}
	return best, bestQ > 0
}

// mediaRange is one element of Accept: a type and subtype, either of which
// may be "*", the media type parameters it asks for, and its weight.
type mediaRange struct {
	typ, sub string
	params   map[string]string // without q; nil when there are none
	q        float64
}

func parseAccept(accept string) []mediaRange {
	var out []mediaRange
	for _, part := range elements(accept) {
		mt, params, err := ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		typ, sub, ok := strings.Cut(mt, "/")
		if !ok {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
			delete(params, "q")
		}
		if len(params) == 0 {
			params = nil
		}
		out = append(out, mediaRange{typ, sub, params, q})
	}
	return out
}

// elements splits a list header's value at its commas, but for those in
// quoted strings (RFC 9110 §5.6.1, §5.6.4): `a/b; x="1,c/d"` is one
// element. A quoted string is a parameter's value, so only a quote after
// a parameter's "=" (and white space, which mime allows) opens one. A
// malformed element spoils itself alone: a stray quote elsewhere opens
// nothing, and with a quoted string left open the value is split at every
// comma, as if it had none.
func elements(v string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case quoted && c == '\\':
			i++ // the character it escapes, a quote or a comma among them
		case quoted && c == '"':
			quoted = false
		case c == '"' && strings.HasSuffix(strings.TrimRight(v[:i], " \t"), "="):
			quoted = true
		case c == ',' && !quoted:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	if quoted {
		return strings.Split(v, ",")
	}
	return append(out, v[start:])
}

// qualityOf is the q of the most specific range matching offer, 0 if none.
// A range matches only if the offer has each of its parameters, with the
// same value (RFC 9110 §12.5.1: text/csv;charset=utf-8 matches the offer
// text/csv; charset=utf-8, text/csv;charset=iso-8859-1 does not), and among
// ranges naming the same type the one with more parameters is the more
// specific.
func qualityOf(o Offer, ranges []mediaRange) float64 {
	q, level, nparams := 0.0, -1, -1
	for _, r := range ranges {
		l := -1
		switch {
		case r.typ == o.typ && r.sub == o.sub:
			l = 2
		case r.typ == o.typ && r.sub == "*":
			l = 1
		case r.typ == "*" && r.sub == "*":
			l = 0
		}
		if l < 0 || !hasParams(o, r.params) {
			continue
		}
		if l > level || l == level && len(r.params) > nparams {
			q, level, nparams = r.q, l, len(r.params)
		}
	}
	return q
}

// hasParams reports whether an offer satisfies every parameter of a range's
// want. Names are lower case (mime.ParseMediaType); charset
// values are compared without regard to case, as RFC 2046 has them, other
// values exactly. An offer without a charset satisfies any charset when it
// is JSON, which is UTF-8 whatever the parameter says (RFC 8259 §11: it "has
// no effect"), and charset=utf-8 otherwise: everything else this server
// sends without a charset, its HTML, CSS, JavaScript and text, is UTF-8, and
// PNG has no characters. So Accept: application/json; charset=utf-8, which
// many clients send, is JSON, and text/html; charset=iso-8859-1 is a 406.
func hasParams(o Offer, want map[string]string) bool {
	for k, w := range want {
		h, ok := o.params[k]
		switch {
		case ok && (h == w || k == "charset" && strings.EqualFold(h, w)):
		case !ok && k == "charset" && (o.isJSON() || strings.EqualFold(w, "utf-8")):
		default:
			return false
		}
	}
	return true
}

// isJSON reports whether o is JSON: application/json or a +json structured
// syntax (RFC 6839).
func (o Offer) isJSON() bool {
	return o.typ == "application" && (o.sub == "json" || strings.HasSuffix(o.sub, "+json"))
}

// Allows reports whether accept, the request's Accept lines joined by
// commas, allows mediaType: Negotiate, with it the only offer.
func Allows(accept, mediaType string) bool {
	_, ok := Negotiate(accept, Offers(mediaType))
	return ok
}
