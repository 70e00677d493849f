package sqlite

import (
	"database/sql"
	"time"
)

// SetClock makes s read the time from now. Call it while no call to s is in
// flight: the writer goroutine reads the clock.
func SetClock(s *Store, now func() time.Time) { s.now = now }

// WriteConn lets the external tests query the write connection.
func WriteConn(s *Store) *sql.Conn { return s.wconn }
