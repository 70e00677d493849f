package api

import (
	"mime"
	"strconv"
	"strings"
)

// negotiate picks, from the media types an operation can produce (in the
// server's order of preference), the one the Accept header ranks highest
// (RFC 9110 §12.5.1). A missing Accept accepts anything. It returns false
// when nothing offered is acceptable.
func negotiate(accept string, offers []string) (string, bool) {
	if len(offers) == 0 {
		return "", true
	}
	switch {
	case strings.TrimSpace(accept) == "" || accept == "*/*":
		return offers[0], true
	case contains(offers, accept):
		// A single media range naming an offer: only that offer matches.
		return accept, true
	}
	ranges := parseAccept(accept)
	best, bestQ := "", 0.0
	for _, offer := range offers {
		if q := qualityOf(offer, ranges); q > bestQ {
			best, bestQ = offer, q
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
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
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

// qualityOf is the q of the most specific range matching offer, 0 if none.
// A range matches only if the offer has each of its parameters, with the
// same value (RFC 9110 §12.5.1: text/csv;charset=utf-8 matches the offer
// text/csv; charset=utf-8, text/csv;charset=iso-8859-1 does not), and among
// ranges naming the same type the one with more parameters is the more
// specific.
func qualityOf(offer string, ranges []mediaRange) float64 {
	essence, params := offer, map[string]string(nil)
	if strings.IndexByte(offer, ';') >= 0 {
		// The offers are the contract's media types, which parse: a
		// failure leaves no parameters to match against.
		essence, params, _ = mime.ParseMediaType(offer)
	}
	typ, sub, _ := strings.Cut(essence, "/")
	q, level, nparams := 0.0, -1, -1
	for _, r := range ranges {
		l := -1
		switch {
		case r.typ == typ && r.sub == sub:
			l = 2
		case r.typ == typ && r.sub == "*":
			l = 1
		case r.typ == "*" && r.sub == "*":
			l = 0
		}
		if l < 0 || !hasParams(essence, params, r.params) {
			continue
		}
		if l > level || l == level && len(r.params) > nparams {
			q, level, nparams = r.q, l, len(r.params)
		}
	}
	return q
}

// hasParams reports whether an offer, its media type essence with the
// parameters have, satisfies every parameter of the range's want. Names are lower case (mime.ParseMediaType); charset
// values are compared without regard to case, as RFC 2046 has them, other
// values exactly. An offer without a charset satisfies any charset when it
// is JSON, which is UTF-8 whatever the parameter says (RFC 8259 §11: it "has
// no effect"), and charset=utf-8 otherwise: everything else this server
// sends without a charset, its HTML, CSS, JavaScript and text, is UTF-8, and
// PNG has no characters. So Accept: application/json; charset=utf-8, which
// many clients send, is JSON, and text/html; charset=iso-8859-1 is a 406.
func hasParams(essence string, have, want map[string]string) bool {
	for k, w := range want {
		h, ok := have[k]
		switch {
		case ok && (h == w || k == "charset" && strings.EqualFold(h, w)):
		case !ok && k == "charset" && (isJSON(essence) || strings.EqualFold(w, "utf-8")):
		default:
			return false
		}
	}
	return true
}

// isJSON reports whether a media type (without parameters) is JSON:
// application/json or a +json structured syntax (RFC 6839).
func isJSON(essence string) bool {
	return essence == "application/json" || strings.HasSuffix(essence, "+json")
}
