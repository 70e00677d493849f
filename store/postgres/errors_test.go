package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ninjagold/ninjagold-api/game"
)

// A database that cannot serve is EUNAVAILABLE (503 with Retry-After, and
// /readyz says not ready); anything else stays an internal error.
func TestUnavailable(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"08006", true},  // connection_failure
		{"57P01", true},  // admin_shutdown: the database was dropped with force
		{"57P04", true},  // database_dropped
		{"57P05", true},  // idle_session_timeout
		{"55000", false}, // object_not_in_prerequisite_state, outside a connect: a bug
		{"25P04", true},  // transaction_timeout (PostgreSQL 17) ended the session
		{"42501", true},  // insufficient_privilege: REVOKE, or row-level security
		{"42703", true},  // undefined_column: renamed under a running server
		{"0A000", false}, // feature_not_supported: a bug (but see planChanged)
		{"3D000", true},  // invalid_catalog_name: it is gone
		{"3F000", true},  // invalid_schema_name
		{"42P01", true},  // undefined_table: recreated without migrations
		{"28P01", true},  // invalid_password
		{"28000", true},  // invalid_authorization_specification
		{"53300", true},  // too_many_connections
		{"53100", true},  // disk_full
		{"58030", true},  // io_error
		{"25006", true},  // read_only_sql_transaction: a standby
		{"55P03", true},  // lock_not_available: lock_timeout passed
		{"57014", true},  // query_canceled (statement_timeout)
		{"40001", true},  // serialization_failure
		{"23505", false}, // unique_violation
		{"42601", false}, // syntax_error: a bug
		{"22P02", false}, // invalid_text_representation: a bug
	}
	for _, tt := range tests {
		err := fmt.Errorf("query: %w", &pgconn.PgError{Code: tt.code})
		if got := unavailable(err); got != tt.want {
			t.Errorf("%s: unavailable = %v, want %v", tt.code, got, tt.want)
		}
	}
	planErr := &pgconn.PgError{Code: "0A000", Message: "cached plan must not change result type"}
	if !unavailable(planErr) || !retryable(planErr) {
		t.Error("a stale cached plan is not unavailable and retryable")
	}
	if unavailable(errors.New("something else")) {
		t.Error("an unknown error is unavailable")
	}
}

// A transaction PostgreSQL rolled back for clashing with another is tried
// again; nothing else is.
func TestIsConflict(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "40001"}, true},                           // serialization_failure
		{fmt.Errorf("commit: %w", &pgconn.PgError{Code: "40P01"}), true}, // deadlock_detected
		{&pgconn.PgError{Code: "23505"}, false},                          // unique_violation
		{&pgconn.PgError{Code: "40002"}, false},                          // transaction_integrity_constraint_violation
		{errors.New("40001"), false},
	}
	for _, tt := range tests {
		if got := isConflict(tt.err); got != tt.want {
			t.Errorf("isConflict(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

// A transaction is tried again only when nothing of it can have been
// applied: a COMMIT that lost its connection may have gone through, and a
// second attempt would visit twice. Only a COMMIT the server refused is
// known to be rolled back.
func TestRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"a statement that lost its connection", io.ErrUnexpectedEOF, true},
		{"a statement whose connection ended", fmt.Errorf("read: %w", io.EOF), true},
		{"a statement whose connection was reset", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true},
		{"a statement whose connection failed", &pgconn.PgError{Code: "08006"}, true},
		{"a statement in a conflict", &pgconn.PgError{Code: "40001"}, true},
		{"a key taken by another transaction", errKeyTaken, true},
		{"a COMMIT refused for a conflict", commitError{&pgconn.PgError{Code: "40001"}}, true},
		{"a COMMIT that lost its connection", commitError{io.ErrUnexpectedEOF}, false},
		{"a COMMIT whose connection failed", commitError{&pgconn.PgError{Code: "08006"}}, false},
		{"a COMMIT whose server shut down", commitError{&pgconn.PgError{Code: "57P01"}}, false},
		{"the callback's error", callbackError{io.ErrUnexpectedEOF}, false},
		{"a game error", game.Unavailable(io.ErrUnexpectedEOF), false},
		{"a unique violation", &pgconn.PgError{Code: "23505"}, false},
	}
	for _, tt := range tests {
		if got := retryable(tt.err); got != tt.want {
			t.Errorf("%s: retryable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// notSent is an error of a message never sent, as pgconn marks one.
type notSent struct{}

func (notSent) Error() string     { return "not sent" }
func (notSent) SafeToRetry() bool { return true }

// A failed COMMIT is retried, and said to have applied nothing, only when
// it is known to have applied nothing; any other may have been applied,
// and the caller is told so.
func TestCommitRefused(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		refused bool
	}{
		{"a serialization failure", &pgconn.PgError{Code: "40001"}, true},
		{"a deadlock", &pgconn.PgError{Code: "40P01"}, true},
		{"a transaction the server had rolled back", pgx.ErrTxCommitRollback, true},
		{"a COMMIT never sent", fmt.Errorf("commit: %w", notSent{}), true},
		{"a connection lost after it was sent", io.ErrUnexpectedEOF, false},
		{"the time up while waiting for its answer", context.DeadlineExceeded, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := commitRefused(tt.err); got != tt.refused {
				t.Errorf("commitRefused = %v, want %v", got, tt.refused)
			}
			if got := retryable(commitError{tt.err}); got != tt.refused {
				t.Errorf("retryable = %v, want %v", got, tt.refused)
			}
			var ge *game.Error
			err := wrap(context.Background(), context.Background(), 0, commitError{tt.err})
			if unknown := errors.As(err, &ge) && ge.Message == commitUnknown; unknown == tt.refused {
				t.Errorf("wrap = %v; want the write said to be maybe applied: %v", err, !tt.refused)
			}
		})
	}
}

// What the client is told of a database that cannot serve: that it cannot
// be reached, save for the two refusals of a database that answers but
// takes no writes, which are told as SQLite's are, and a statement the
// database cancelled (its statement timeout), which did not answer in time.
// Against a real server, TestReadOnlyLifted sees the first and
// TestVisitWhoseLocationCannotBeRead the last; a full disk (53100) is
// checked here only, as no test can fill the disk under the database.
func TestUnavailableSays(t *testing.T) {
	for _, tt := range []struct {
		code, says string
	}{
		{"25006", "The database cannot take writes right now: it is read-only."},  // read_only_sql_transaction
		{"53100", "The database cannot take writes right now: its disk is full."}, // disk_full
		{"53300", "The database cannot be reached right now."},                    // too_many_connections
		{"57014", "The database did not answer in time."},                         // query_canceled: the statement timeout
		{"08006", "The database cannot be reached right now."},                    // connection_failure
	} {
		err := wrap(context.Background(), context.Background(), 0, fmt.Errorf("insert: %w", &pgconn.PgError{Code: tt.code}))
		if game.ErrorCode(err) != game.EUNAVAILABLE || game.ErrorMessage(err) != tt.says {
			t.Errorf("%s: %v (%q), want %s saying %q", tt.code, err, game.ErrorMessage(err), game.EUNAVAILABLE, tt.says)
		}
	}
}
