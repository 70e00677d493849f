package api

import (
	"strings"
	"testing"
)

// shortened keeps 512 bytes at most, backing off a cut UTF-8 sequence or
// %XX escape, and no more than a sequence can hold: a run of invalid bytes
// does not eat the path.
func TestShortened(t *testing.T) {
	a := func(n int) string { return strings.Repeat("a", n) }
	for _, tt := range []struct{ in, want string }{
		{strings.Repeat("a", 512), strings.Repeat("a", 512)},
		{strings.Repeat("a", 513), strings.Repeat("a", 512) + "..."},
		{strings.Repeat("a", 511) + "é", strings.Repeat("a", 511) + "..."},
		{strings.Repeat("a", 510) + "%41b", strings.Repeat("a", 510) + "..."},
		{"/" + strings.Repeat("\x80", 600), "/" + strings.Repeat("\x80", 508) + "..."},
		// Nor between the escapes of one UTF-8 sequence: é is %C3%A9, € %E2%82%AC, 𝄞 %F0%9D%84%9E.
		{a(509) + "%C3%A9b", a(509) + "..."},
		{a(509) + "%c3%a9b", a(509) + "..."},
		{a(506) + "%C3%A9bbb", a(506) + "%C3%A9..."},
		{a(506) + "%E2%82%ACb", a(506) + "..."},
		{a(503) + "%E2%82%ACbbbb", a(503) + "%E2%82%AC..."},
		{a(503) + "%F0%9D%84%9Eb", a(503) + "..."},
		{a(506) + "%F0%9D%84%9Eb", a(506) + "..."},
		{a(500) + "%F0%9D%84%9E" + a(10), a(500) + "%F0%9D%84%9E..."},
		// An escape of ASCII, a continuation byte with no lead, or bytes
		// that begin no sequence are cut after, as any other.
		{a(509) + "%41%42", a(509) + "%41..."},
		{a(509) + "%A9%A9", a(509) + "%A9..."},
		{a(509) + "%F8%80", a(509) + "%F8..."},
		{a(509) + "%C0%80", a(509) + "%C0..."},
		// The ends of each lead byte's range.
		{a(509) + "%C1%80", a(509) + "%C1..."},
		{a(509) + "%C2%80", a(509) + "..."},
		{a(506) + "%DF%BF%80", a(506) + "%DF%BF..."},
		{a(506) + "%E0%A0%80", a(506) + "..."},
		{a(503) + "%EF%BF%BF%80", a(503) + "%EF%BF%BF..."},
		{a(509) + "%F4%8F", a(509) + "..."},
		{a(509) + "%F5%80", a(509) + "%F5..."},
	} {
		if got := shortened(tt.in); got != tt.want {
			t.Errorf("shortened(%.20q… %d bytes) = %d bytes ending %q, want %d ending %q",
				tt.in, len(tt.in), len(got), got[max(0, len(got)-8):], len(tt.want), tt.want[max(0, len(tt.want)-8):])
		}
	}
}
