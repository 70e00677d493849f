package sqlite

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// same says a path was lost only when it names no file or another file: a
// stat that fails otherwise (a folder's permissions, an I/O error) cannot
// tell, and taking it for a loss would leave the store unavailable until a
// restart. ENOTDIR and ENAMETOOLONG stand in for them here, since the tests
// may run as root, whom no permission stops.
func TestSameOnlyWhenSure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ninjagold.db")
	if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	opened, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db")
	if err := os.WriteFile(other, []byte("y"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want bool
	}{
		{"the file opened", path, true},
		{"another file", other, false},
		{"no file", filepath.Join(dir, "gone.db"), false},
		{"a stat that fails otherwise: not a folder", filepath.Join(path, "x"), true},
		{"a stat that fails otherwise: a name too long", filepath.Join(dir, strings.Repeat("n", 300)), true},
	}
	for _, tt := range tests {
		if got := same(tt.path, opened); got != tt.want {
			t.Errorf("%s: same = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestWithoutComments(t *testing.T) {
	for _, tt := range []struct{ sql, want string }{
		{"CREATE INDEX i ON t (a);", "CREATE INDEX i ON t (a);"},
		{"-- a WHERE\nCREATE INDEX i ON t (a); -- COLLATE\n", "\nCREATE INDEX i ON t (a); \n"},
		{"/* WHERE */CREATE /* a\nb */INDEX i", "CREATE INDEX i"},
		{"a -- b /* c\nd */ e", "a \nd */ e"},
		{"a /* -- b */ c", "a  c"},
		{"a -- no end of line", "a "},
		{"a /* no end", "a "},
	} {
		if got := withoutComments(tt.sql); got != tt.want {
			t.Errorf("withoutComments(%q) = %q, want %q", tt.sql, got, tt.want)
		}
	}
}

// TestEveryCallTellsWhereTheLogWent replaces a file under calls that all
// look at once (Ping from /readyz, the writer before a batch): the log is
// moved once, and every one of them says where to, or, with Shared, says
// it was left for the operator to move; none a shorter story.
func TestEveryCallTellsWhereTheLogWent(t *testing.T) {
	for _, shared := range []bool{false, true} {
		for range 20 {
			dir := t.TempDir()
			path := filepath.Join(dir, "ninjagold.db")
			for _, p := range []string{path, path + "-wal", path + ".restore"} {
				if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			opened, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			wal, err := os.Stat(path + "-wal")
			if err != nil {
				t.Fatal(err)
			}
			f := &dbFile{path: path, opened: opened, walPath: path + "-wal", wal: wal, shared: shared}
			if err := os.Rename(path+".restore", path); err != nil {
				t.Fatal(err)
			}
			want := "moved to " + path + "-wal.replaced-"
			if shared {
				want = "which was not moved: stop every process on the file and move it aside"
			}
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Go(func() { errs[i] = f.check() })
			}
			wg.Wait()
			for _, err := range errs {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("shared %v: %v, want an error saying %q", shared, err, want)
				}
			}
			aside, _ := filepath.Glob(path + "-wal.replaced-*")
			if moved := len(aside); shared && moved != 0 || !shared && moved != 1 {
				t.Fatalf("shared %v: logs moved aside %v", shared, aside)
			}
		}
	}
}
