package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync/atomic"

	"github.com/ninjagold/ninjagold-api/game"
)

// dbFile is the database file a Store opened, and whether its path still
// names it. SQLite goes on using the file it opened when the path is
// removed or replaced (a restore copied in by mv, a cleanup): its writes
// would go to a file nobody opens again, and read connections opened later
// would read the new one, while a second server could start on the path.
// Once the path names another file, or none, every call fails as
// unavailable, /readyz with it, until the server is restarted.
//
// The same goes for its write-ahead log: removed under a running server
// (a cleanup of "stray" -wal files), commits would still be acknowledged and
// then lost at the next start, as the log they went to is gone.
type dbFile struct {
	path    string
	opened  os.FileInfo
	walPath string
	wal     os.FileInfo // nil: not seen at open, not checked
	lost    atomic.Pointer[game.Error]
}

// check compares the path with the file opened, and the write-ahead log's
// path with the log: a stat of each, run by Ping and before each batch of
// writes.
func (f *dbFile) check() error {
	if err := f.err(); err != nil {
		return err
	}
	if !same(f.path, f.opened) {
		f.lost.CompareAndSwap(nil, game.Unavailable(fmt.Errorf(
			"sqlite: %s is no longer the file this server opened (it was removed or replaced): restart the server to open the file there now", f.path)))
	} else if f.wal != nil && !same(f.walPath, f.wal) {
		f.lost.CompareAndSwap(nil, game.Unavailable(fmt.Errorf(
			"sqlite: %s is no longer the write-ahead log this server opened (it was removed or replaced): writes since the last checkpoint may be lost; restart the server", f.walPath)))
	}
	return f.err()
}

// same reports whether path still names the file opened, or cannot tell (a
// folder's permissions: not proof of loss).
func same(path string, opened os.FileInfo) bool {
	now, err := os.Stat(path)
	if err != nil {
		return !errors.Is(err, fs.ErrNotExist)
	}
	return os.SameFile(now, opened)
}

// err is the loss check found, if it has: what reads look at, with no stat.
func (f *dbFile) err() error {
	if e := f.lost.Load(); e != nil {
		return e
	}
	return nil
}
