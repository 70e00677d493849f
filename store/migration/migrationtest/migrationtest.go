// Package migrationtest helps a store's tests run its migrations with one
// more: a migration a later release might ship (a table rebuilt, a column
// added), to see how the store's runner applies it to a database of today;
// and it holds a store's migrated schema to migration.Tables (CheckTables).
package migrationtest

import (
	"io/fs"
	"reflect"
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

// Rows are the rows of a query, as database/sql and pgx both give them.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// CheckTables fails t unless rows, (table, column) pairs read from a
// store's migrated schema (schema_migrations left out), are exactly the
// tables and columns of migration.Tables, which the readiness check's query
// names: a migration that adds, renames or drops one must change both.
func CheckTables(t testing.TB, rows Rows) {
	t.Helper()
	got := map[string][]string{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		got[table] = append(got[table], column)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, table := range migration.Tables {
		want[table.Name] = slices.Sorted(slices.Values(table.Columns))
	}
	for table := range got {
		slices.Sort(got[table])
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("the migrated schema holds %v, migration.Tables says %v", got, want)
	}
}
