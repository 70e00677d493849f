// Package pgtest gives each test a PostgreSQL database of its own: a new,
// empty schema in the database named by NINJAGOLD_TEST_POSTGRES, dropped
// when the test ends. Tests in any package, running in parallel or in
// several processes at once, then never see each other's rows, and nobody
// has to create or clean a database by hand. Without the variable the tests
// skip, so `go test ./...` passes on a machine with no PostgreSQL.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable holding the URL of the database the
// tests may create schemas in, such as
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvURL = "NINJAGOLD_TEST_POSTGRES"

// TestURL returns the URL of a new, empty schema of its own for t: the
// database of NINJAGOLD_TEST_POSTGRES with search_path set to the schema. The
// schema and all it holds are dropped when t ends, after the cleanups t
// registers later (such as closing a store on the URL). TestURL skips t when
// the variable is unset and fails it when the database cannot be reached.
func TestURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skipf("skipping PostgreSQL test: set %s to a database URL, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable", EnvURL)
	}
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	schema := "test_" + hex.EncodeToString(b)
	quoted := pgx.Identifier{schema}.Sanitize()

	if err := exec(base, `CREATE SCHEMA `+quoted); err != nil {
		t.Fatalf("pgtest: create schema in %s database: %v", EnvURL, err)
	}
	t.Cleanup(func() {
		if err := exec(base, `DROP SCHEMA IF EXISTS `+quoted+` CASCADE`); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	u, err := withSearchPath(base, schema)
	if err != nil {
		t.Fatalf("pgtest: %s: %v", EnvURL, err)
	}
	return u
}

// exec runs one statement on a connection of its own, within a bound.
func exec(connString, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// withSearchPath sets the search_path run-time parameter in a URL or a
// keyword/value connection string; pgx sends it when it connects.
func withSearchPath(connString, schema string) (string, error) {
	if !strings.HasPrefix(connString, "postgres://") && !strings.HasPrefix(connString, "postgresql://") {
		return connString + " search_path=" + schema, nil
	}
	u, err := url.Parse(connString)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
