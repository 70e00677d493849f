// Package migrationtest helps a store's tests run its migrations with one
// more: a migration a later release might ship (a table rebuilt, a column
// added), to see how the store's runner applies it to a database of today.
package migrationtest

import (
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/ninjagold/ninjagold-api/store/migration"
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

// Tables returns migration.Tables as a store's test reads its migrated
// schema back: each table's columns, sorted by name.
func Tables() map[string][]string {
	out := map[string][]string{}
	for _, t := range migration.Tables {
		out[t.Name] = slices.Sorted(slices.Values(t.Columns))
	}
	return out
}
