//go:build unix

package sqlite

import (
	"errors"
	"io/fs"
	"syscall"
)

// writable returns why this process may not write the file at path, or
// nil; a file that does not exist yet is SQLite's to create. It asks the
// kernel (access(2)) rather than opening the file: closing a descriptor of
// the file would drop the POSIX locks another Store of the process holds on
// it (see holdAcrossCloses).
func writable(path string) error {
	const wOK = 0x2 // W_OK
	err := syscall.Access(path, wOK)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &fs.PathError{Op: "access", Path: path, Err: err}
	}
	return nil
}
