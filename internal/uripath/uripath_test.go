package uripath

import "testing"

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
	} {
		if got := DecodeUnreserved(tt.in); got != tt.want {
			t.Errorf("DecodeUnreserved(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
