package accept

import (
	"strconv"
	"strings"
)

// Coding reports whether acceptEncoding, the request's Accept-Encoding lines
// joined by commas, asks for the content coding coding (RFC 9110 §12.5.3):
// it names it, or names "*" and not it, with a weight above 0, and not
// below identity's where it weighs identity (by name, or by "*" without
// it): "identity, gzip;q=0.5" prefers the content as it is. x-gzip is gzip
// (RFC 9110 §8.4.1.3). Where the same coding is named twice, the higher
// weight counts.
//
// An absent or empty Accept-Encoding asks for none. RFC 9110 lets a server
// read an absent one as "any coding", but a client that sends none, such as
// curl without --compressed, often cannot decode one.
func Coding(acceptEncoding, coding string) bool {
	named, identity, star := -1.0, -1.0, -1.0
	for _, part := range strings.Split(acceptEncoding, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		if strings.EqualFold(name, "x-gzip") {
			name = "gzip"
		}
		switch q := weight(params); {
		case strings.EqualFold(name, coding):
			named = max(named, q)
		case strings.EqualFold(name, "identity"):
			identity = max(identity, q)
		case name == "*":
			star = max(star, q)
		}
	}
	if named < 0 {
		named = star
	}
	if identity < 0 {
		identity = star
	}
	return named > 0 && named >= identity
}

// weight reads the q parameter of an Accept-Encoding element's parameters
// (" q=0.5"): 1 when there is none or it is not a number from 0 to 1, as
// for Accept (see parseAccept).
func weight(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
			return f
		}
	}
	return 1
}
