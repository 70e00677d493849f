//go:build unix

package sqlite_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/ninjagold/ninjagold-api/game"
	"github.com/ninjagold/ninjagold-api/store/sqlite"
)

// SQLite opens a file it may not write for reading only, and every write
// then fails with "readonly": Open refuses such a file instead of serving
// reads and a 503 for each write. Root may write any file, so as root the
// test runs again in a copy of this binary as the user nobody.
func TestReadOnlyFileIsRefused(t *testing.T) {
	if os.Geteuid() == 0 {
		runAsNobody(t, "TestReadOnlyFileIsRefused")
		return
	}
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	s, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if s, err := sqlite.Open(t.Context(), path, sqlite.Options{}); !errors.Is(err, fs.ErrPermission) {
		if s != nil {
			s.Close()
		}
		t.Errorf("Open of a read-only file = %v, want a permission error", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("Open once the file is writable again: %v", err)
	}
	s.Close()
}

// runAsNobody runs test in a copy of this test binary as the user nobody
// (uid and gid 65534), in a directory of its own, and fails unless it
// passed there.
func runAsNobody(t *testing.T, test string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "as-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "sqlite.test")
	if err := copyFile(os.Args[0], bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run", "^"+test+"$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TMPDIR="+dir, "HOME="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: "+test)) {
		t.Fatalf("%s as nobody: %v\n%s", test, err, out)
	}
}

func copyFile(from, to string, mode os.FileMode) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// A new database is its owner's alone, as is its write-ahead log (and the
// -shm file a shared store makes), whatever the umask lets others read:
// it holds players' names and their tokens' hashes. A file that exists
// keeps the permissions it has.
func TestNewFileIsTheOwnersAlone(t *testing.T) {
	// The usual umask, which lets others read: under 077 the test could
	// not fail. The umask is the process's; no test here runs in parallel.
	defer syscall.Umask(syscall.Umask(0o022))
	for _, shared := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "ninjagold.db")
		s := openWith(t, path, sqlite.Options{Shared: shared})
		if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("kira")}); err != nil {
			t.Fatal(err)
		}
		files := []string{path, path + "-wal"}
		if shared {
			files = append(files, path+"-shm")
		}
		for _, f := range files {
			if perm := permissions(t, f); perm != 0o600 {
				t.Errorf("shared %v: %s: %v, want -rw-------", shared, filepath.Base(f), perm)
			}
		}
	}

	// A path that is a symbolic link to no file yet, through another.
	dir := t.TempDir()
	if err := os.Symlink("data/real.db", filepath.Join(dir, "link.db")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "link.db"), filepath.Join(dir, "ninjagold.db")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := openFile(t, filepath.Join(dir, "ninjagold.db"))
	if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("kira")}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"data/real.db", "data/real.db-wal"} {
		if perm := permissions(t, filepath.Join(dir, f)); perm != 0o600 {
			t.Errorf("through two symbolic links: %s: %v, want -rw-------", f, perm)
		}
	}

	// A relative link resolved from the directory the kernel finds it in:
	// x/link is y/sub, whose db is ../data.db, y/data.db.
	dir = t.TempDir()
	for _, d := range []string{"x", "y/sub"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../y/sub", filepath.Join(dir, "x", "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../data.db", filepath.Join(dir, "y", "sub", "db")); err != nil {
		t.Fatal(err)
	}
	openFile(t, filepath.Join(dir, "x", "link", "db")).Close()
	if perm := permissions(t, filepath.Join(dir, "y", "data.db")); perm != 0o600 {
		t.Errorf("through a relative link: y/data.db: %v, want -rw-------", perm)
	}
	if _, err := os.Lstat(filepath.Join(dir, "x", "data.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("through a relative link: x/data.db: %v, want no such file", err)
	}

	// A umask that takes the owner's write bit away.
	syscall.Umask(0o277)
	path := filepath.Join(t.TempDir(), "ninjagold.db")
	s = openFile(t, path)
	syscall.Umask(0o022)
	if _, err := s.CreatePlayer(t.Context(), game.NewPlayer{FirstName: "Kira", LastName: "Sato", TokenHash: []byte("kira")}); err != nil {
		t.Errorf("a write to a file made under umask 277: %v", err)
	}
	if perm := permissions(t, path); perm != 0o600 {
		t.Errorf("under umask 277: %v, want -rw-------", perm)
	}

	path = filepath.Join(t.TempDir(), "ninjagold.db")
	openFile(t, path).Close()
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	openFile(t, path)
	if perm := permissions(t, path); perm != 0o640 {
		t.Errorf("a file of -rw-r----- opened again: %v, want its permissions kept", perm)
	}
}

// permissions are the permission bits of the file at path.
func permissions(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}
