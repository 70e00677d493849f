package game

import (
	"errors"
	"fmt"
)

// Code names a kind of failure. The set is small on purpose: each code maps
// to exactly one HTTP status and problem type in the api package.
type Code string

const (
	EINVALID       Code = "invalid"             // the request breaks a rule; Fields says which
	EUNAUTHORIZED  Code = "unauthorized"        // no or unknown credentials
	EFORBIDDEN     Code = "forbidden"           // valid credentials, not allowed
	ENOTFOUND      Code = "not_found"           // the resource does not exist
	ENOTACCEPTABLE Code = "not_acceptable"      // Accept allows no representation the resource has
	EKEYREUSED     Code = "key_reused"          // an idempotency key reused with another request
	EPRECONDITION  Code = "precondition_failed" // If-Match does not match the current version
	EUNAVAILABLE   Code = "unavailable"         // the database cannot be reached right now
	EINTERNAL      Code = "internal"            // anything unexpected
)

// Error is a failure the client can be told about. Message is safe to show;
// Fields maps an offending field to a message, like a schema error.
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	// ETag, for EPRECONDITION, is the resource's current version.
	ETag string
	// Err is the failure behind an EUNAVAILABLE, for the operator's log;
	// never shown to the client.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// The two ways a player's bearer token can fail to be the player's own.
var (
	ErrUnknownToken = Errorf(EUNAUTHORIZED, "The token does not belong to any player.")
	ErrForeignToken = Errorf(EFORBIDDEN, "This token belongs to another player.")
)

// The failures both stores report, in the same words whichever answers.

// LocationNotFound is the answer for a location id that names none.
func LocationNotFound(id int64) *Error {
	return Errorf(ENOTFOUND, "Location %d does not exist.", id)
}

// PlayerNotFound is the answer for a player id that names none.
func PlayerNotFound(id int64) *Error {
	return Errorf(ENOTFOUND, "Player %d does not exist.", id)
}

// VisitNotFound is the answer for a visit id the player has no visit of.
func VisitNotFound(playerID, visitID int64) *Error {
	return Errorf(ENOTFOUND, "Player %d has no visit %d.", playerID, visitID)
}

// UnknownVisitLocation is a visit's location_id that names no location: a
// field of the request that is wrong (400), not a resource missing (404).
func UnknownVisitLocation() *Error {
	return Invalid(map[string]string{"location_id": "location id must name an existing location"})
}

// LocationNameTaken is a location's new name that another location has:
// names are unique, compared character for character (not as they look:
// "Farm" and "farm" are two), so that a client retrying a create it did
// not hear back from cannot make a second one.
func LocationNameTaken() *Error {
	return Invalid(map[string]string{"name": "name must be unique: another location has it"})
}

// KeyReused is an Idempotency-Key sent again with a different request.
func KeyReused() *Error {
	return &Error{Code: EKEYREUSED, Message: "This Idempotency-Key was used for a different request.",
		Fields: map[string]string{"Idempotency-Key": "Idempotency-Key was already used with a different request"}}
}

// Unavailable is a store's failure to serve a call right now, for cause:
// the client hears that, the operator's log the cause.
func Unavailable(cause error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: "The database cannot be reached right now.", Err: cause}
}

// NoAnswer is a store call that ran out of time, for cause: a deadline
// passed while the database was asked, or while the call waited to ask it.
// The client hears it may try again; the operator's log, the cause.
func NoAnswer(cause error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: "The database did not answer in time.", Err: cause}
}

// ReadOnly is a write the database refused because it takes none right
// now (a read-only file, a standby, a database set read-only), for cause:
// it answers, so the client hears why rather than "cannot be reached".
func ReadOnly(cause error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: "The database cannot take writes right now: it is read-only.", Err: cause}
}

// DiskFull is a write the database refused because its disk is full, for
// cause.
func DiskFull(cause error) *Error {
	return &Error{Code: EUNAVAILABLE, Message: "The database cannot take writes right now: its disk is full.", Err: cause}
}

// Invalid returns an EINVALID error for the given field messages.
func Invalid(fields map[string]string) *Error {
	return &Error{Code: EINVALID, Message: "The request is not valid.", Fields: fields}
}

// ErrorCode returns the code of err: EINTERNAL when err is not an *Error,
// "" when err is nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// InternalMessage is all a client hears of an internal error, the 500's
// detail: what went wrong is the operator's to read in the log.
const InternalMessage = "The server could not complete the request."

// ErrorMessage returns the client-safe message of err; InternalMessage when
// err is not an *Error, so internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return InternalMessage
}
