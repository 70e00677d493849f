package game

import (
	"io"
	"strings"
	"testing"
)

// An error's text, which only the operator's log shows, names the failure
// behind it too.
func TestErrorText(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Code: ENOTFOUND, Message: "Location 7 does not exist."}, "not_found: Location 7 does not exist."},
		{&Error{Code: EUNAVAILABLE, Message: "The database is unavailable.", Err: io.EOF}, "unavailable: The database is unavailable.: EOF"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
	if e := Unavailable(io.ErrUnexpectedEOF); !strings.Contains(e.Error(), io.ErrUnexpectedEOF.Error()) {
		t.Errorf("Unavailable(%v).Error() = %q, without its cause", io.ErrUnexpectedEOF, e.Error())
	}
}
