package api

import (
	"strings"
	"testing"
)

// shortened keeps 512 bytes at most, backing off a cut UTF-8 sequence or
// %XX escape, and no more than a sequence can hold: a run of invalid bytes
// does not eat the path.
func TestShortened(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{strings.Repeat("a", 512), strings.Repeat("a", 512)},
		{strings.Repeat("a", 513), strings.Repeat("a", 512) + "..."},
		{strings.Repeat("a", 511) + "é", strings.Repeat("a", 511) + "..."},
		{strings.Repeat("a", 510) + "%41b", strings.Repeat("a", 510) + "..."},
		{"/" + strings.Repeat("\x80", 600), "/" + strings.Repeat("\x80", 508) + "..."},
	} {
		if got := shortened(tt.in); got != tt.want {
			t.Errorf("shortened(%.20q… %d bytes) = %d bytes ending %q, want %d ending %q",
				tt.in, len(tt.in), len(got), got[max(0, len(got)-8):], len(tt.want), tt.want[max(0, len(tt.want)-8):])
		}
	}
}
