package uripath

import (
	"net/http/httptest"
	"net/url"
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
