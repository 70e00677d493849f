package game

import (
	"context"
	"errors"
	"fmt"
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
	// The cause is there for errors.Is and errors.As too: a caller may ask
	// whether an unavailable store timed out.
	for _, cause := range []error{io.ErrUnexpectedEOF, fmt.Errorf("reading: %w", context.DeadlineExceeded)} {
		if e := Unavailable(cause); !errors.Is(e, cause) {
			t.Errorf("errors.Is(Unavailable(%v), its cause) = false", cause)
		}
	}
	if !errors.Is(Unavailable(fmt.Errorf("reading: %w", context.DeadlineExceeded)), context.DeadlineExceeded) {
		t.Errorf("errors.Is(Unavailable(a wrapped deadline), context.DeadlineExceeded) = false")
	}
}

// What a client hears of an error: an *Error's code and message, wrapped or
// not; of anything else, an internal error and InternalMessage, never its
// text.
func TestErrorCodeAndMessage(t *testing.T) {
	notFound := &Error{Code: ENOTFOUND, Message: "Location 7 does not exist."}
	tests := []struct {
		name        string
		err         error
		wantCode    Code
		wantMessage string
	}{
		{"an *Error", notFound, ENOTFOUND, "Location 7 does not exist."},
		{"a wrapped *Error", fmt.Errorf("reading: %w", notFound), ENOTFOUND, "Location 7 does not exist."},
		{"any other error", errors.New("sqlite: disk I/O error at page 12"), EINTERNAL, InternalMessage},
		{"nil", nil, "", InternalMessage},
	}
	for _, tt := range tests {
		if got := ErrorCode(tt.err); got != tt.wantCode {
			t.Errorf("%s: ErrorCode = %q, want %q", tt.name, got, tt.wantCode)
		}
		if got := ErrorMessage(tt.err); got != tt.wantMessage {
			t.Errorf("%s: ErrorMessage = %q, want %q", tt.name, got, tt.wantMessage)
		}
	}
}
