package sqlite

import "syscall"

// freeBytes is the room left for this process on the file system under
// path (statfs(2)'s blocks available to an unprivileged user), and whether
// it could tell.
func freeBytes(path string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil || st.Bsize <= 0 {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}
