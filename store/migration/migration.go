// Package migration reads a store's embedded schema migrations: files named
// migrations/<version>_<what>.sql, applied in version order. Both stores
// read them the same way and apply them in their own dialect, each in a
// transaction that also records the version in schema_migrations. It also
// holds what the migrations make, the same in both stores: the tables and
// columns (Tables), and the readiness check's query over them (Probe).
package migration

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// File is one migration.
type File struct {
	Version int
	Name    string // the file's name, without the folder
	SQL     string
}

// Load returns the migrations under migrations/ in fsys, by version. A file
// whose name does not start with a number, or two files with one version,
// are an error.
func Load(fsys fs.FS) ([]File, error) {
	paths, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	files := make([]File, 0, len(paths))
	for _, path := range paths {
		name := strings.TrimPrefix(path, "migrations/")
		version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number", name)
		}
		body, err := fs.ReadFile(fsys, path)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Version: version, Name: name, SQL: string(body)})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Version < files[j].Version })
	for i := 1; i < len(files); i++ {
		if files[i].Version == files[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s have the same version", files[i-1].Name, files[i].Name)
		}
	}
	return files, nil
}

// ErrNewer is the error of CheckNotNewer.
var ErrNewer = errors.New("the database's schema is newer than this build's")

// CheckNotNewer refuses a database that recorded a migration newer than the
// newest in files: it was migrated by a newer build, whose schema this one
// does not know (after a rollback, say). newest is the highest version the
// database recorded; 0 when none.
func CheckNotNewer(newest int, files []File) error {
	known := 0
	if len(files) > 0 {
		known = files[len(files)-1].Version
	}
	if newest > known {
		return fmt.Errorf("%w: it is at version %d, this build's at %d: run a build that knows it, or restore the database", ErrNewer, newest, known)
	}
	return nil
}

// recordColumns are the columns of schema_migrations, the table of the
// migrations applied, in both stores.
var recordColumns = []string{"version", "name", "applied_at"}

// CheckRecord refuses a schema_migrations whose columns, cols, lack one
// of this service's: another tool's table of the name (golang-migrate's
// has version and dirty, Rails' version), in another application's
// database, whose versions would be read as this service's migrations
// applied, or as newer ones.
func CheckRecord(cols []string) error {
	if slices.ContainsFunc(recordColumns, func(c string) bool { return !slices.Contains(cols, c) }) {
		return fmt.Errorf("schema_migrations has the columns (%s), not this game's (%s): another tool's migrations, in another application's database",
			strings.Join(cols, ", "), strings.Join(recordColumns, ", "))
	}
	return nil
}

// Table is a table and the columns the migrations make in it.
type Table struct {
	Name    string
	Columns []string
}

// Tables are the tables the stores' migrations make, but schema_migrations,
// and their columns: the same in both stores, which each hold their
// migrated schema to it in a test. Probe is made from it at start: it is
// not to be changed at run time.
var Tables = []Table{
	{"locations", []string{"id", "name", "min_gold", "max_gold", "description", "version", "created_at", "updated_at"}},
	{"players", []string{"id", "first_name", "last_name", "gold", "token_hash", "created_at"}},
	{"visits", []string{"id", "player_id", "location_id", "location_name", "gold", "balance", "message", "created_at"}},
	{"idempotency_keys", []string{"player_id", "key", "request_hash", "visit_id", "created_at"}},
}

// Probe is the query of a store's readiness check, the same in both
// dialects: it reads no table's rows, yet fails unless schema_migrations
// holds a row and every table and column of Tables is there. A schema
// another process changed (a table or column renamed or dropped) then makes
// the check fail, as it makes the requests fail, instead of the check
// passing while every request does not.
var Probe = probe(Tables)

// Each column is named with its table's name: unqualified, a column
// missing from the subquery's table would be taken for the outer query's
// column of that name (schema_migrations' name and version), and the
// check would pass without it.
func probe(tables []Table) string {
	var b strings.Builder
	b.WriteString("SELECT 1 FROM schema_migrations WHERE TRUE")
	for _, t := range tables {
		columns := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			columns[i] = t.Name + "." + c
		}
		fmt.Fprintf(&b, "\n  AND NOT EXISTS (SELECT %s FROM %s WHERE 1 = 0)", strings.Join(columns, ", "), t.Name)
	}
	b.WriteString("\nLIMIT 1")
	return b.String()
}
