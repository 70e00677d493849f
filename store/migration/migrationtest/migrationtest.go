// Package migrationtest helps a store's tests run its migrations with one
// more: a migration a later release might ship (a table rebuilt, a column
// added), to see how the store's runner applies it to a database of today.
package migrationtest

import (
	"io/fs"
	"testing"
	"testing/fstest"
)

// With returns the migrations of fsys (the files under migrations/) and
// one more, migrations/name holding sql.
func With(t testing.TB, fsys fs.FS, name, sql string) fs.FS {
	t.Helper()
	out := fstest.MapFS{"migrations/" + name: {Data: []byte(sql)}}
	paths, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil || len(paths) == 0 {
		t.Fatalf("migrationtest: no migrations (%v)", err)
	}
	for _, p := range paths {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = &fstest.MapFile{Data: data}
	}
	return out
}
