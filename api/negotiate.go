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

type mediaRange struct {
	typ, sub string
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
		}
		out = append(out, mediaRange{typ, sub, q})
	}
	return out
}

// qualityOf is the q of the most specific range matching offer, 0 if none.
func qualityOf(offer string, ranges []mediaRange) float64 {
	typ, sub, _ := strings.Cut(offer, "/")
	q, specificity := 0.0, -1
	for _, r := range ranges {
		s := -1
		switch {
		case r.typ == typ && r.sub == sub:
			s = 2
		case r.typ == typ && r.sub == "*":
			s = 1
		case r.typ == "*" && r.sub == "*":
			s = 0
		}
		if s > specificity {
			q, specificity = r.q, s
		}
	}
	return q
}
