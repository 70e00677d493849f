//go:build !unix

package sqlite

import (
	"errors"
	"io/fs"
	"os"
)

// writable returns why the file at path cannot be opened for writing, or
// nil; a file that does not exist yet is SQLite's to create. (Without Unix,
// SQLite's locks belong to its own handle, which this one does not touch.)
func writable(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return f.Close()
}
