package sqlite

import (
	"os"
	"path/filepath"
	"strconv"
)

// heldOpenAs names a descriptor through which this process still reads the
// file that was at path before it was removed (/proc/<pid>/fd/<n>), from
// which an operator can copy it back; "" when there is none to name.
func heldOpenAs(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return ""
	}
	for _, fd := range fds {
		if target, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && target == abs+" (deleted)" {
			return "/proc/" + strconv.Itoa(os.Getpid()) + "/fd/" + fd.Name()
		}
	}
	return ""
}
