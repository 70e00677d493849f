package accept

import "testing"

func TestCoding(t *testing.T) {
	tests := []struct {
		acceptEncoding string
		want           bool
	}{
		{"", false},
		{" , ", false},
		{"gzip", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"X-GZIP", true},
		{"*foo", false},
		{"gzip, deflate, br, zstd", true}, // Chromium's
		{"br, gzip;q=0.5", true},
		{"deflate, br", false},
		{"identity", false},
		{"*", true},
		{"*;q=0", false},
		{"gzip;q=0", false},
		{"gzip ; Q=0", false},
		{"gzip;q=0.001", true},
		{"gzip;q=0.000", false},
		// A coding it names counts over "*", whichever comes first.
		{"*, gzip;q=0", false},
		{"gzip;q=0, *", false},
		{"*;q=0, gzip", true},
		{"br, *", true},
		// Named twice: the higher weight.
		{"gzip;q=0, gzip;q=0.5", true},
		{"gzip;q=0.5, gzip;q=0", true},
		{"*;q=0.5, *;q=0", true},
		// Weighed below identity, by name or by "*": the content as it is.
		{"identity, gzip;q=0.5", false},
		{"gzip;q=0.1, identity", false},
		{"gzip;q=0.5, *", false},
		{"gzip;q=0.5, identity;q=0.5", true},
		{"gzip, identity;q=0.5", true},
		{"gzip;q=0.5, identity;q=0", true},
		{"IDENTITY;q=0.6, x-gzip;q=0.5", false},
		{"*;q=0.5, gzip", true},
		{"identity;q=0, *;q=0.3", true},
		{"*, gzip;q=0.5, identity;q=0.2", true},
		// identity named twice: the higher weight; named at 0, "*" does not stand for it.
		{"identity;q=0.8, identity;q=0.2, gzip;q=0.5", false},
		{"identity;q=0, *;q=0.5, gzip;q=0.3", true},
		// A weight that is no number from 0 to 1 counts as 1, as in Accept.
		{"gzip;q=abc", true},
		{"gzip;q=2", true},
		// White space and parameters around the weight.
		{"GZIP ; q=1", true},
		{"\tgzip\t", true},
		{"gzip\t;\tq=0", false},
		{"gzip;q= 0", false},
		{"gzip;q =0", false},
		{"gzip;q=0.5;foo=bar", true},
		{"gzip;foo=bar;q=0", false},
		// x-gzip and gzip are one coding: the higher weight counts.
		{"x-gzip;q=0, gzip", true},
		// Malformed weights count as 1, as in Accept (a documented choice).
		{`gzip;q="0"`, true},
		{"gzip;q=", true},
		{"gzip;q", true},
		// Not gzip, though it starts like it.
		{"gzipped", false},
		{"x-gzipped", false},
	}
	for _, tt := range tests {
		if got := Coding(tt.acceptEncoding, "gzip"); got != tt.want {
			t.Errorf("Coding(%q, gzip) = %v, want %v", tt.acceptEncoding, got, tt.want)
		}
	}
}
