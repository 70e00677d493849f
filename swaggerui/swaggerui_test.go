package swaggerui

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"testing"
)

func TestGzipped(t *testing.T) {
	tests := []struct {
		name       string
		compressed bool
	}{
		{"swagger-ui-bundle.js", true},
		{"swagger-ui.css", true},
		{"initializer.js", true},
		{"LICENSE", true},
		{"swagger-ui-bundle.js.LICENSE.txt", true},
		{"index.css", false},         // under 1 KiB
		{"VERSION", false},           // under 1 KiB
		{"favicon-32x32.png", false}, // under 1 KiB, and PNG
		{"no-such-file.js", false},
	}
	for _, tt := range tests {
		got := Gzipped(tt.name)
		if (got != nil) != tt.compressed {
			t.Errorf("Gzipped(%q): %d bytes, want compressed %v", tt.name, len(got), tt.compressed)
			continue
		}
		if got == nil {
			continue
		}
		data, _, _ := Asset(tt.name)
		zr, err := gzip.NewReader(bytes.NewReader(got))
		if err != nil {
			t.Fatalf("Gzipped(%q): %v", tt.name, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(plain, data) {
			t.Errorf("Gzipped(%q) decompresses to %d bytes (%v), want the file's %d", tt.name, len(plain), err, len(data))
		}
		if zr.Header.Name != "" || !zr.Header.ModTime.IsZero() {
			t.Errorf("Gzipped(%q): header names %q, time %v; want neither, for a stable ETag", tt.name, zr.Header.Name, zr.Header.ModTime)
		}
		if again := Gzipped(tt.name); !bytes.Equal(again, got) {
			t.Errorf("Gzipped(%q) differs on the second call", tt.name)
		}
	}
}

// A file gzip makes less than a tenth smaller is not worth compressing.
func TestCompressRefusesWhatDoesNotShrink(t *testing.T) {
	png, _, _ := Asset("favicon-16x16.png")
	random := make([]byte, 4096)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(random) // never fails
	for name, data := range map[string][]byte{"a png": png, "noise": random} {
		if got := compress(data); got != nil {
			t.Errorf("compress(%s, %d bytes) = %d bytes, want nil", name, len(data), len(got))
		}
	}
	if got := compress(bytes.Repeat([]byte("ninja "), 1000)); got == nil {
		t.Error("compress(a repeated word) = nil, want it compressed")
	}
}
