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
type dbFile struct {
	path   string
	opened os.FileInfo
	lost   atomic.Pointer[game.Error]
}

// check compares the path with the file opened: a stat, run by Ping and
// before each batch of writes.
func (f *dbFile) check() error {
	if err := f.err(); err != nil {
		return err
	}
	now, err := os.Stat(f.path)
	switch {
	case err == nil && os.SameFile(now, f.opened):
		return nil
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return nil // cannot tell (a folder's permissions): not proof of loss
	}
	f.lost.CompareAndSwap(nil, unavailable(fmt.Errorf(
		"sqlite: %s is no longer the file this server opened (it was removed or replaced): restart the server to open the file there now", f.path)))
	return f.err()
}

// err is the loss check found, if it has: what reads look at, with no stat.
func (f *dbFile) err() error {
	if e := f.lost.Load(); e != nil {
		return e
	}
	return nil
}
