package impl

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/ninjagold/ninjagold-api/swaggerui"
)

func TestCompressedOf(t *testing.T) {
	tests := []struct {
		name       string
		compressed bool
	}{
		{"swagger-ui-bundle.js", true},
		{"swagger-ui.css", true},
		{"initializer.js", true},
		{"LICENSE", true},
		{"index.css", false},         // under 1 KiB
		{"favicon-32x32.png", false}, // under 1 KiB, and PNG
	}
	var c compressed
	for _, tt := range tests {
		data, _, ok := swaggerui.Asset(tt.name)
		if !ok {
			t.Fatalf("no %s", tt.name)
		}
		got := c.of("/docs/"+tt.name, data)
		if (got != nil) != tt.compressed {
			t.Errorf("%s: %d bytes, want compressed %v", tt.name, len(got), tt.compressed)
			continue
		}
		if got == nil {
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(got))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(plain, data) {
			t.Errorf("%s decompresses to %d bytes (%v), want the file's %d", tt.name, len(plain), err, len(data))
		}
		if zr.Header.Name != "" || !zr.Header.ModTime.IsZero() {
			t.Errorf("%s: the gzip header names %q, time %v; want neither, for a stable ETag", tt.name, zr.Header.Name, zr.Header.ModTime)
		}
		if again := c.of("/docs/"+tt.name, data); &again[0] != &got[0] {
			t.Errorf("%s: compressed again on the second request", tt.name)
		}
	}
}

// What gzip makes less than a tenth smaller is not worth compressing.
func TestGzipIfSmaller(t *testing.T) {
	png, _, _ := swaggerui.Asset("favicon-16x16.png")
	noise := make([]byte, 4096)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(noise) // never fails
	for name, data := range map[string][]byte{"a PNG": png, "noise": noise} {
		if got := gzipIfSmaller(data); got != nil {
			t.Errorf("%s of %d bytes: %d bytes compressed, want nil", name, len(data), len(got))
		}
	}
	if got := gzipIfSmaller(bytes.Repeat([]byte("ninja "), 1000)); got == nil {
		t.Error("a repeated word: nil, want it compressed")
	}
	// Smaller, but by less than a tenth: noise, then a run of zeros that
	// gzip shrinks to almost nothing, a twentieth of the whole.
	almost := append(noise[:len(noise):len(noise)], make([]byte, len(noise)/19)...)
	if got := gzipIfSmaller(almost); got != nil {
		t.Errorf("%d bytes compressed to %d, less than a tenth smaller: want nil", len(almost), len(got))
	}
	// And by a little more than a tenth.
	enough := append(noise[:len(noise):len(noise)], make([]byte, len(noise)/7)...)
	if got := gzipIfSmaller(enough); got == nil {
		t.Errorf("%d bytes, a tenth smaller compressed: nil, want them compressed", len(enough))
	}
}

// A file under 1 KiB is sent as it is; one of 1 KiB may be compressed.
func TestCompressedOfSmallFiles(t *testing.T) {
	var c compressed
	if got := c.of("/small", bytes.Repeat([]byte("a"), 1023)); got != nil {
		t.Errorf("1023 bytes: compressed to %d, want nil", len(got))
	}
	if got := c.of("/kibibyte", bytes.Repeat([]byte("a"), 1024)); got == nil {
		t.Error("1024 bytes: nil, want them compressed")
	}
}
