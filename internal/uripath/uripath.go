// Package uripath compares request paths as RFC 3986 says URIs are
// compared (section 6.2.2.2): an escape of an unreserved character is that
// character, so /%6Cocations is /locations. The api package routes on the
// path as sent and the test harness finds the contract's route on it; both
// decode these escapes first, the same way.
package uripath

import (
	"net/http"
	"net/url"
	"strings"
)

// normalized is u with the escapes of unreserved characters in its path as
// sent (its RawPath) decoded: u itself when there are none, else a copy,
// so that a request net/http made is never changed.
func normalized(u *url.URL) *url.URL {
	if u.RawPath == "" {
		return u
	}
	raw := decodeUnreserved(u.RawPath)
	if raw == u.RawPath {
		return u
	}
	if raw == u.Path {
		raw = "" // nothing escaped is left
	}
	n := *u
	n.RawPath = raw
	return &n
}

// Request is r with its URL normalized: r itself when that changes nothing,
// else a shallow copy, so that the request net/http made stays as it came
// (its docs: handlers should not modify the request).
func Request(r *http.Request) *http.Request {
	u := normalized(r.URL)
	if u == r.URL {
		return r
	}
	c := r.WithContext(r.Context())
	c.URL = u
	return c
}

// decodeUnreserved is the escaped path p with each %XX that encodes an
// unreserved character decoded, in either case of hex digit, once: %256C
// stays. Every other escape (a slash, a space, UTF-8) stays as sent.
func decodeUnreserved(p string) string {
	i := strings.IndexByte(p, '%')
	if i < 0 {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	b.WriteString(p[:i])
	for ; i < len(p); i++ {
		c := p[i]
		if c == '%' && i+2 < len(p) {
			if octet, ok := Octet(p[i+1], p[i+2]); ok && isUnreserved(octet) {
				c = octet
				i += 2
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Octet is the byte the escape %XX with the hexadecimal digits hi and lo
// encodes; false when either is no hexadecimal digit.
func Octet(hi, lo byte) (byte, bool) {
	h, l := unhex(hi), unhex(lo)
	return h<<4 | l, h < 16 && l < 16
}

// unhex is the value of the hexadecimal digit c, or 16 when c is none.
func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 16
}

// isUnreserved reports whether c is unreserved (RFC 3986, section 2.3).
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}
