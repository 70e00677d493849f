package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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
//
// And the log must not outlive its file at the path. SQLite neither
// checkpoints nor removes the log of a file that has moved when it closes
// it, so the log would stay beside the file moved in, named as its own, and
// the next start would apply the old file's pages to it: a restore ends up
// a mix of both, or corrupt. So once the path names another file, or none,
// the log this server opened is moved aside (walAside), where the next
// start does not look. Not with Shared: other processes may be using that
// log, and one starting on the path may have taken it for the new file's
// already; the error then says to stop them all and move it aside.
type dbFile struct {
	path    string
	opened  os.FileInfo
	walPath string
	wal     os.FileInfo // nil: not seen at open, not checked
	shared  bool        // Options.Shared: the log is not this process's alone
	lost    atomic.Pointer[game.Error]
	// mu makes the move of the log, and the error that tells of it, one
	// call's: the others wait for it and return that error.
	mu sync.Mutex
}

// fileConnector opens the read pool's connections, each only while the
// path still names the file the Store opened (and its write-ahead log, its
// log). The pool opens them as the reads need them, long after Open, and
// SQLite opens whatever the path names then: a file moved in over it (a
// restore) would be read through the replaced file's write-ahead log,
// which is still at the path, as if that were its own, and the
// connection's close would checkpoint the old pages into it. The check and
// the open are two steps: a file moved in between the two still gets
// through, which the check at the next write or Ping then finds.
type fileConnector struct {
	drv  driver.Driver
	dsn  string
	file *dbFile
}

func (c fileConnector) Connect(context.Context) (driver.Conn, error) {
	if err := c.file.check(); err != nil {
		return nil, err
	}
	return c.drv.Open(c.dsn)
}

func (c fileConnector) Driver() driver.Driver { return c.drv }

// check compares the path with the file opened, and the write-ahead log's
// path with the log: a stat of each, run by Ping and before each batch of
// writes.
func (f *dbFile) check() error {
	if err := f.err(); err != nil {
		return err
	}
	if !f.checkFile() && f.wal != nil && !same(f.walPath, f.wal) {
		f.lost.CompareAndSwap(nil, game.Unavailable(fmt.Errorf(
			"sqlite: %s is no longer the write-ahead log this server opened (it was removed or replaced): writes since the last checkpoint may be lost; restart the server", f.walPath)))
	}
	return f.err()
}

// checkFile compares the path with the file opened and reports whether it
// names another file, or none: then the write-ahead log is moved aside, and
// every call fails from then on.
func (f *dbFile) checkFile() bool {
	if same(f.path, f.opened) {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err() != nil {
		return true // told already
	}
	msg := fmt.Sprintf("sqlite: %s is no longer the file this server opened (it was removed or replaced): ", f.path)
	if _, err := os.Stat(f.path); errors.Is(err, fs.ErrNotExist) {
		// Removed, not replaced: a restart makes a new, empty game at the
		// path, while the file is still here to copy back.
		msg += "the path names no file now, so a restart would start a new, empty game there"
		if held := heldOpenAs(f.path); held != "" {
			msg += fmt.Sprintf("; until the server stops, the removed file can be copied back from %s (with its write-ahead log as its -wal)", held)
		}
	} else {
		msg += "restart the server to open the file there now"
	}
	// What the log holds, and how to keep it: the file replaced may have
	// been moved away to be kept, and its commits since its last
	// checkpoint are in the log alone.
	const keep = "it holds the replaced file's commits since its last checkpoint: to keep them with that file, put it beside the file as its -wal"
	switch aside, err := f.moveWALAside(); {
	case f.shared && f.ownsWAL():
		msg += fmt.Sprintf("; other processes may share its write-ahead log, %s, which was not moved: stop every process on the file and move it aside before any starts again, or it is applied to the file there now (%s)", f.walPath, keep)
	case err != nil:
		msg += fmt.Sprintf("; its write-ahead log could not be moved aside (%v): move %s aside before the restart, or it is applied to the file there now (%s)", err, f.walPath, keep)
	case aside != "":
		msg += fmt.Sprintf("; its write-ahead log was moved to %s, so that the restart does not apply it to the file there now (%s)", aside, keep)
	}
	f.lost.CompareAndSwap(nil, game.Unavailable(errors.New(msg)))
	return true
}

// ownsWAL reports whether the write-ahead log at walPath is the one this
// server opened, and its file, the one SQLite named it after, is gone from
// its path. A symbolic link now leading elsewhere, its file still in place:
// not so, since that file needs its log, and SQLite, which went by that
// name too, checkpoints and removes the log itself when it closes the file.
func (f *dbFile) ownsWAL() bool {
	if f.wal == nil {
		return false
	}
	if opened := strings.TrimSuffix(f.walPath, "-wal"); opened != f.path && same(opened, f.opened) {
		return false
	}
	now, err := os.Stat(f.walPath)
	return err == nil && os.SameFile(now, f.wal)
}

// moveWALAside renames the write-ahead log this server opened to walAside
// when ownsWAL, and not Shared; it returns the new name ("": nothing
// moved). The server's connections keep the log open and go on using it.
func (f *dbFile) moveWALAside() (string, error) {
	if f.shared || !f.ownsWAL() {
		return "", nil
	}
	aside := walAside(f.walPath, time.Now())
	if err := os.Rename(f.walPath, aside); err != nil {
		return "", err
	}
	return aside, nil
}

// walAside is where the log at walPath goes when its file was removed or
// replaced: beside it, with the time, which no SQLite file is named like.
func walAside(walPath string, now time.Time) string {
	return walPath + ".replaced-" + now.UTC().Format("20060102T150405.000000000Z")
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
