package sqlite

import (
	"os"
	"syscall"
)

// freeBytes is the room left for this process on the file system under
// path, and whether it could tell: statfs(2)'s blocks available to an
// unprivileged user, or, for root, which may write into the blocks the
// file system reserves (5 % of an ext4 disk by default) and so finds a
// disk full only once they are gone too, its free blocks.
func freeBytes(path string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil || st.Bsize <= 0 {
		return 0, false
	}
	blocks := st.Bavail
	if os.Geteuid() == 0 {
		blocks = st.Bfree
	}
	return blocks * uint64(st.Bsize), true
}
