// Package pgtest gives each test a PostgreSQL database of its own: a new,
// empty schema in the database named by NINJAGOLD_TEST_POSTGRES, dropped
// when the test ends. Tests in any package, running in parallel or in
// several processes at once, then never see each other's rows, and nobody
// has to create or clean a database by hand. Without the variable they use
// DefaultURL, the database this project's machines run, when it answers, so
// that `make test` runs them with nothing set; when it does not, they skip,
// so `go test ./...` passes on a machine with no PostgreSQL. With CI set (as
// .ci/run does) they fail instead of skipping, so CI cannot pass without
// them.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the environment variable holding the URL of the database the
// tests may create schemas in, such as DefaultURL.
const EnvURL = "NINJAGOLD_TEST_POSTGRES"

// DefaultURL is the database the tests use when EnvURL is unset and it
// answers: the one every machine of this project runs (trust
// authentication, database test).
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// defaultAnswers reports, once per process, whether DefaultURL accepts a
// connection within a second.
var defaultAnswers = sync.OnceValue(func() bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, DefaultURL)
	if err != nil {
		return false
	}
	conn.Close(context.Background())
	return true
})

// TestURL returns the URL of a new, empty schema of its own for t: the
// database Base names, with search_path set to the schema. The
// schema and all it holds are dropped when t ends, after the cleanups t
// registers later (such as closing a store on the URL). TestURL skips t as
// Base does (neither the variable nor DefaultURL; failing it under CI), and
// fails it when that database cannot be reached.
func TestURL(t testing.TB) string {
	t.Helper()
	base := Base(t)
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

// Base returns NINJAGOLD_TEST_POSTGRES as a postgres:// URL; without the
// variable, DefaultURL if it answers. With neither it skips t, unless CI is
// set: CI runs every PostgreSQL test, so there it fails t. A keyword/value
// string, which some tests could not take apart, fails t too.
func Base(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if !defaultAnswers() {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is unset and %s does not answer, and CI must not skip PostgreSQL tests", EnvURL, DefaultURL)
			}
			t.Skipf("skipping PostgreSQL test: %s is unset and %s does not answer; set %s to a database URL", EnvURL, DefaultURL, EnvURL)
		}
		base = DefaultURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		t.Fatalf("%s must be a postgres:// URL with a host, such as postgres://postgres@127.0.0.1:5432/test?sslmode=disable", EnvURL)
	}
	u.Scheme = "postgres"
	return u.String()
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

// withSearchPath sets the search_path run-time parameter in a URL; pgx
// sends it when it connects.
func withSearchPath(base, schema string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
