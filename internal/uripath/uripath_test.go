package uripath

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
)

func TestDecodeUnreserved(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/locations", "/locations"},
		{"/%6Cocations", "/locations"},
		{"/%6cocations/%31", "/locations/1"},
		{"/%41%5a%61%7A%30%39%2D%2E%5F%7E", "/AZaz09-._~"},
		{"/locations%2F1", "/locations%2F1"},
		{"/locations%2f%31", "/locations%2f1"},
		{"/a%20b%E2%82%AC%25", "/a%20b%E2%82%AC%25"},
		{"/%25%36%43", "/%256C"}, // decoded once: %25 stays, so no new escape forms
		{"/a%4", "/a%4"},
		{"/a%zz", "/a%zz"},
		{"/a%4G", "/a%4G"}, // the low digit no hexadecimal digit
		{"/a%G4", "/a%G4"},
	} {
		if got := decodeUnreserved(tt.in); got != tt.want {
			t.Errorf("decodeUnreserved(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// normalized leaves u alone: it returns u itself when nothing changes and
// a copy when something does.
func TestNormalized(t *testing.T) {
	for _, tt := range []struct {
		target, wantRaw string
		same            bool
	}{
		{"/locations", "", true},
		{"/locations%2F1", "/locations%2F1", true},
		{"/%6Cocations", "", false},
		{"/%6Cocations%2F1", "/locations%2F1", false},
	} {
		u, err := url.ParseRequestURI(tt.target)
		if err != nil {
			t.Fatal(err)
		}
		before := *u
		n := normalized(u)
		if *u != before {
			t.Errorf("normalized(%s) changed its argument: %+v", tt.target, *u)
		}
		if (n == u) != tt.same || n.RawPath != tt.wantRaw || n.Path != u.Path {
			t.Errorf("normalized(%s) = %+v (the same URL: %v), want RawPath %q (the same URL: %v)", tt.target, *n, n == u, tt.wantRaw, tt.same)
		}
	}
}

// Request hands back the request itself when its path needs nothing
// decoded, and otherwise a copy with the URL decoded, leaving the request
// it was given as it came.
func TestRequest(t *testing.T) {
	r := httptest.NewRequest("GET", "/locations", nil)
	if got := Request(r); got != r {
		t.Error("Request(/locations) made a copy")
	}
	r = httptest.NewRequest("GET", "/%6Cocations", nil)
	before := r.URL
	got := Request(r)
	if got == r || r.URL != before || r.URL.RawPath != "/%6Cocations" {
		t.Errorf("Request(/%%6Cocations) changed its argument or returned it: URL %+v", *r.URL)
	}
	if got.URL.EscapedPath() != "/locations" || got.Method != "GET" {
		t.Errorf("Request(/%%6Cocations) = %s %s, want GET /locations", got.Method, got.URL.EscapedPath())
	}
}

// Octet agrees with strconv on every pair of bytes: each hexadecimal digit
// in either case, and nothing else, is one.
func TestOctet(t *testing.T) {
	for hi := range 256 {
		for lo := range 256 {
			got, ok := Octet(byte(hi), byte(lo))
			want, err := strconv.ParseUint(string([]byte{byte(hi), byte(lo)}), 16, 8)
			// ParseUint takes a sign or an underscore nowhere in base 16,
			// so an error is a pair that is not two digits.
			if ok != (err == nil) || ok && uint64(got) != want {
				t.Fatalf("Octet(%q, %q) = %#x, %v; strconv: %#x, %v", byte(hi), byte(lo), got, ok, want, err)
			}
		}
	}
}
